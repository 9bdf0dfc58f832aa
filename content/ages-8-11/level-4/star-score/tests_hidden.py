import unittest

from solution import game_score


class TestGameScoreHidden(unittest.TestCase):
    def test_nothing_found(self):
        self.assertEqual(game_score(0, 0), 0)

    def test_only_coins(self):
        self.assertEqual(game_score(47, 0), 47)

    def test_one_star(self):
        self.assertEqual(game_score(3, 1), 13)

    def test_three_stars_no_coins(self):
        self.assertEqual(game_score(0, 3), 80)

    def test_three_stars_many_coins(self):
        self.assertEqual(game_score(100, 3), 180)
