import unittest

from solution import running_totals


def test_single_number():
    assert running_totals([7]) == [7]


def test_negatives():
    assert running_totals([5, -2, -10, 4]) == [5, 3, -7, -3]


class TestRunningTotals(unittest.TestCase):
    def test_zeros(self):
        self.assertEqual(running_totals([0, 0, 0]), [0, 0, 0])

    def test_repeated(self):
        self.assertEqual(running_totals([2, 2, 2, 2, 2]), [2, 4, 6, 8, 10])

    def test_does_not_change_input(self):
        numbers = [1, 2, 3]
        self.assertEqual(running_totals(numbers), [1, 3, 6])
