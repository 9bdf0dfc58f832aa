import unittest

from solution import game_score


class TestGameScore(unittest.TestCase):
    def test_two_stars(self):
        self.assertEqual(game_score(12, 2), 32, "12 coins + 2 stars * 10 should be 32")

    def test_all_stars_bonus(self):
        self.assertEqual(game_score(5, 3), 85,
                         "5 coins + 3 stars * 10 + 50 bonus should be 85")
