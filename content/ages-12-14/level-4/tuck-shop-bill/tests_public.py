from solution import basket_total

PRICES = {"apple": 30, "crisps": 45, "juice": 60}


def test_example():
    assert basket_total(["apple", "juice", "apple"], PRICES) == 120


def test_empty_basket():
    assert basket_total([], PRICES) == 0
