from solution import running_totals


def test_example():
    assert running_totals([3, 1, 4, 2]) == [3, 4, 8, 10]


def test_empty():
    assert running_totals([]) == []
