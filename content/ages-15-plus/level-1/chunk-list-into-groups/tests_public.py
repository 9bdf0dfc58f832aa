from solution import chunk


def test_leftover_group():
    assert chunk([1, 2, 3, 4, 5, 6, 7], 3) == [[1, 2, 3], [4, 5, 6], [7]]


def test_empty_list():
    assert chunk([], 4) == []
