from solution import merge_intervals


def as_lists(result):
    return [list(pair) for pair in result]


def test_example():
    assert as_lists(merge_intervals([[8, 10], [1, 3], [2, 6], [15, 18]])) == [[1, 6], [8, 10], [15, 18]]


def test_empty():
    assert merge_intervals([]) == []
