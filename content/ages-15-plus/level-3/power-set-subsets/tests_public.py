from solution import subsets


def normalise(result):
    return sorted(list(s) for s in result)


def test_three_items():
    assert normalise(subsets([1, 2, 3])) == normalise(
        [[], [1], [2], [3], [1, 2], [1, 3], [2, 3], [1, 2, 3]]
    )


def test_empty():
    assert normalise(subsets([])) == [[]]
