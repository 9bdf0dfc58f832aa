from solution import highest_score


def test_mixed():
    assert highest_score([12, 45, 7, 30]) == 45


def test_all_negative():
    assert highest_score([-8, -3, -10]) == -3
