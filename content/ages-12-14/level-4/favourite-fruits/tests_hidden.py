import unittest

from solution import count_fruits


def test_header_only_file():
    assert count_fruits("fruits_empty.csv") == {}


def test_only_empty_answers():
    assert count_fruits("fruits_blank.csv") == {}


class TestFavouriteFruits(unittest.TestCase):
    def test_capitals_spaces_and_blanks(self):
        self.assertEqual(count_fruits("fruits_messy.csv"), {"plum": 3, "cherry": 2})

    def test_default_file_name(self):
        self.assertEqual(
            count_fruits(),
            {"apple": 6, "banana": 5, "mango": 3, "strawberry": 4, "kiwi": 2, "grape": 1},
        )

    def test_whole_survey_again(self):
        self.assertEqual(
            count_fruits("fruits.csv"),
            {"kiwi": 2, "grape": 1, "mango": 3, "apple": 6, "strawberry": 4, "banana": 5},
        )
