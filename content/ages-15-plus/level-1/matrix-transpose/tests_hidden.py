import unittest

from solution import transpose


def test_square_matrix():
    assert transpose([[7, 8], [9, 10]]) == [[7, 9], [8, 10]]


def test_single_row_becomes_column():
    assert transpose([[5, -1, 0, 3]]) == [[5], [-1], [0], [3]]


def test_single_column_becomes_row():
    assert transpose([["a"], ["b"], ["c"]]) == [["a", "b", "c"]]


def test_rows_with_no_columns():
    assert transpose([[], [], []]) == []


class TestTallMatrix(unittest.TestCase):
    def test_four_by_two(self):
        self.assertEqual(
            transpose([[1, 2], [3, 4], [5, 6], [7, 8]]),
            [[1, 3, 5, 7], [2, 4, 6, 8]],
        )

    def test_transpose_twice_gives_original(self):
        m = [[11, 12, 13], [14, 15, 16], [17, 18, 19], [20, 21, 22]]
        self.assertEqual(transpose(transpose(m)), m)
