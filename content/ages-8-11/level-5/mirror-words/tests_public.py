from solution import is_mirror_word


def test_racecar():
    assert is_mirror_word("racecar") is True, "'racecar' backwards is still 'racecar', so return True"


def test_robot():
    assert is_mirror_word("robot") is False, "'robot' backwards is 'tobor', so return False"
