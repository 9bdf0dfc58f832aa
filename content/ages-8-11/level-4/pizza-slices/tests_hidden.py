from solution import slices_each


def test_no_pizza():
    assert slices_each(0, 4) == 0


def test_alone():
    assert slices_each(3, 1) == 24


def test_not_enough_for_everyone():
    assert slices_each(1, 9) == 0


def test_exact_share():
    assert slices_each(3, 6) == 4


def test_big_party():
    assert slices_each(10, 7) == 11
