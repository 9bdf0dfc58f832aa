import unittest

from solution import count_letter


class TestCountLetter(unittest.TestCase):
    def test_example(self):
        self.assertEqual(count_letter("Bob has a big bag", "b"), 4,
                         "There are 4 b's in 'Bob has a big bag' (the capital B counts too)")

    def test_letter_not_there(self):
        self.assertEqual(count_letter("hello", "z"), 0, "There is no 'z' in 'hello', so the answer is 0")
