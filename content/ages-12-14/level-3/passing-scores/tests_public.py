from solution import passing_scores


def test_example():
    assert passing_scores([40, 75, 50, 90, 20], 50) == [75, 50, 90]


def test_duplicates():
    assert passing_scores([60, 60], 50) == [60, 60]
