from solution import first_index


def test_first_of_repeats():
    assert first_index([1, 3, 3, 3, 7, 9], 3) == 1


def test_missing():
    assert first_index([1, 3, 3, 3, 7, 9], 4) == -1
