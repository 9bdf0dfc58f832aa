from solution import even_squares


def test_example():
    assert even_squares([1, 2, 3, 4]) == [4, 16]


def test_empty():
    assert even_squares([]) == []
