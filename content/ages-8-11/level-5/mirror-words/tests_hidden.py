import unittest

from solution import is_mirror_word


def test_capital_first_letter():
    assert is_mirror_word("Hannah") is True


def test_single_letter():
    assert is_mirror_word("x") is True


def test_empty_word():
    assert is_mirror_word("") is True


class TestMirrorHidden(unittest.TestCase):
    def test_almost_mirror(self):
        self.assertIs(is_mirror_word("level up"), False)

    def test_two_letters_different(self):
        self.assertIs(is_mirror_word("no"), False)

    def test_shouting(self):
        self.assertIs(is_mirror_word("WOW"), True)
