import unittest

from solution import permutations


def test_empty_string():
    assert permutations("") == [""]


def test_single_letter():
    assert permutations("q") == ["q"]


def test_all_same():
    assert permutations("zzzz") == ["zzzz"]


class TestPermutations(unittest.TestCase):
    def test_two_letters_unsorted_input(self):
        self.assertEqual(permutations("ba"), ["ab", "ba"])

    def test_four_distinct(self):
        result = permutations("dcab")
        self.assertEqual(len(result), 24)
        self.assertEqual(result, sorted(result))
        self.assertEqual(result[0], "abcd")
        self.assertEqual(result[-1], "dcba")

    def test_two_pairs(self):
        self.assertEqual(
            permutations("noon"),
            ["nnoo", "nono", "noon", "onno", "onon", "oonn"],
        )

    def test_longer_with_repeats(self):
        result = permutations("banana")
        self.assertEqual(len(result), 60)
        self.assertEqual(len(set(result)), 60)
        self.assertIn("nabana", result)
