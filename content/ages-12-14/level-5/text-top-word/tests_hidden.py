import unittest

from solution import top_word


def test_punctuation_attached():
    assert top_word("Go, team! Go, go, GO!") == "go"


def test_tie_first_wins():
    assert top_word("red blue blue red green") == "red"


def test_capitals_counted_together():
    assert top_word("apple Banana BANANA apple banana") == "banana"


class TestTopWordErrors(unittest.TestCase):
    def test_empty_text(self):
        with self.assertRaises(ValueError):
            top_word("")

    def test_only_punctuation(self):
        with self.assertRaises(ValueError):
            top_word("?! ...")

    def test_question(self):
        self.assertEqual(top_word("Why? Why not? Why, why, WHY?"), "why")
