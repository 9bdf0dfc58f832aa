from solution import biggest_pumpkin


def test_last_is_biggest():
    assert biggest_pumpkin(2, 5, 11) == 11


def test_all_the_same():
    assert biggest_pumpkin(6, 6, 6) == 6


def test_tie_at_the_end():
    assert biggest_pumpkin(1, 10, 10) == 10


def test_decimal_weights():
    assert biggest_pumpkin(2.5, 3.75, 3.5) == 3.75


def test_zero_weights():
    assert biggest_pumpkin(0, 0, 1) == 1
