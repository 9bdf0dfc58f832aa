import unittest

from solution import flatten


def test_empty_lists_vanish():
    assert flatten([[], [[]], [[], [[]]]]) == []


def test_very_deep():
    nested = [42]
    for _ in range(35):
        nested = [nested]
    assert flatten(nested) == [42]


def test_strings_stay_whole():
    assert flatten(["ab", ["cd", ["ef"]], "g"]) == ["ab", "cd", "ef", "g"]


class TestFlatten(unittest.TestCase):
    def test_empty(self):
        self.assertEqual(flatten([]), [])

    def test_mixed_depths(self):
        self.assertEqual(
            flatten([[9, [8]], 7, [[[6, 5]], 4], [], 3]),
            [9, 8, 7, 6, 5, 4, 3],
        )

    def test_staircase(self):
        self.assertEqual(flatten([1, [2, [3, [4, [5]]]]]), [1, 2, 3, 4, 5])
