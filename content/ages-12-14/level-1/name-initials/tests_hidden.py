import unittest

from solution import initials


def test_three_words():
    assert initials("Grace Brewster Hopper") == "GBH"


def test_extra_spaces():
    assert initials("  katherine   johnson ") == "KJ"


class TestInitialsEdgeCases(unittest.TestCase):
    def test_single_word(self):
        self.assertEqual(initials("prince"), "P")

    def test_empty(self):
        self.assertEqual(initials(""), "")

    def test_only_spaces(self):
        self.assertEqual(initials("    "), "")
