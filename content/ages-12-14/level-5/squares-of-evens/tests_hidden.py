import unittest

from solution import even_squares


def test_negative_evens():
    assert even_squares([-6, -3, 5, 10]) == [36, 100]


def test_no_evens():
    assert even_squares([1, 7, 9, -11]) == []


class TestEvenSquares(unittest.TestCase):
    def test_zero_and_repeats(self):
        self.assertEqual(even_squares([0, 8, 8, 1]), [0, 64, 64])

    def test_all_even_keeps_order(self):
        self.assertEqual(even_squares([12, 2, 6]), [144, 4, 36])
