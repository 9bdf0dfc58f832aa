from solution import flatten


def test_example():
    assert flatten([1, [2, [3, 4], 5], [[6]], 7]) == [1, 2, 3, 4, 5, 6, 7]


def test_already_flat():
    assert flatten([3, 2, 1]) == [3, 2, 1]
