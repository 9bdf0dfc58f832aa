import unittest

from solution import merge_intervals


def as_lists(result):
    return [list(pair) for pair in result]


def test_touching_merge():
    assert as_lists(merge_intervals([[9, 11], [6, 9]])) == [[6, 11]]


def test_gap_does_not_merge():
    assert as_lists(merge_intervals([[6, 8], [2, 5]])) == [[2, 5], [6, 8]]


def test_one_contains_others():
    assert as_lists(merge_intervals([[3, 4], [0, 20], [7, 9], [12, 19]])) == [[0, 20]]


def test_single_and_points():
    assert as_lists(merge_intervals([[7, 7]])) == [[7, 7]]
    assert as_lists(merge_intervals([[2, 2], [2, 2], [3, 3]])) == [[2, 2], [3, 3]]


class TestMergeMore(unittest.TestCase):
    def test_chain_reaction(self):
        self.assertEqual(
            as_lists(merge_intervals([[10, 12], [1, 2], [11, 15], [2, 3], [14, 14], [20, 25]])),
            [[1, 3], [10, 15], [20, 25]],
        )

    def test_negative_numbers(self):
        self.assertEqual(
            as_lists(merge_intervals([[-5, -1], [-10, -6], [-2, 0]])),
            [[-10, -6], [-5, 0]],
        )

    def test_same_start_different_ends(self):
        self.assertEqual(as_lists(merge_intervals([[1, 9], [1, 2], [1, 5]])), [[1, 9]])
