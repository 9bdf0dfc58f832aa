# Five hidden tests, one call each. The benchmark's baseline reads the call and the
# expected value of every test from this file (one `assert <call> == <literal>` each).
from solution import digit_sum


def test_zero():
    assert digit_sum(0) == 0


def test_one_digit():
    assert digit_sum(7) == 7


def test_three_digits():
    assert digit_sum(123) == 6


def test_nines():
    assert digit_sum(9999) == 36


def test_large():
    assert digit_sum(1000000000000000000) == 1
