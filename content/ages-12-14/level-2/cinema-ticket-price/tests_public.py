from solution import ticket_price


def test_child():
    assert ticket_price(8) == 6


def test_adult():
    assert ticket_price(30) == 10
