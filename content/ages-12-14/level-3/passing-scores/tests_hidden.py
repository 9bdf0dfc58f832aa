import unittest

from solution import passing_scores


def test_exactly_pass_mark():
    assert passing_scores([30, 65, 64], 65) == [65]


def test_nobody_passes():
    assert passing_scores([1, 2, 3], 10) == []


class TestPassingScores(unittest.TestCase):
    def test_empty(self):
        self.assertEqual(passing_scores([], 40), [])

    def test_everyone_passes_keeps_order(self):
        self.assertEqual(passing_scores([99, 70, 85, 70], 70), [99, 70, 85, 70])

    def test_negative_pass_mark(self):
        self.assertEqual(passing_scores([-5, -1, 0, -9], -2), [-1, 0])
