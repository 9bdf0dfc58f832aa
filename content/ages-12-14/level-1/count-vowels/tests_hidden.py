import unittest

from solution import count_vowels


class TestCountVowels(unittest.TestCase):
    def test_capitals(self):
        self.assertEqual(count_vowels("AEIOU"), 5)

    def test_empty(self):
        self.assertEqual(count_vowels(""), 0)

    def test_sentence(self):
        self.assertEqual(count_vowels("Hello, World!"), 3)

    def test_not_a_string(self):
        with self.assertRaises(TypeError):
            count_vowels(42)
