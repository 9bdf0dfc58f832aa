import unittest

from solution import highest_score


def test_biggest_at_end():
    assert highest_score([1, 2, 3, 99]) == 99


def test_one_score():
    assert highest_score([17]) == 17


def test_duplicates():
    assert highest_score([5, 60, 60, 2]) == 60


class TestHighestScore(unittest.TestCase):
    def test_negatives_and_zero(self):
        self.assertEqual(highest_score([-4, 0, -1]), 0)

    def test_empty_list(self):
        with self.assertRaises(ValueError):
            highest_score([])
