import unittest

from solution import group_by_letter


def test_capitals_share_a_group():
    assert group_by_letter(["Apple", "ant", "ARROW"]) == {"a": ["Apple", "ant", "ARROW"]}


def test_duplicates_kept():
    assert group_by_letter(["pen", "pen", "ink"]) == {"p": ["pen", "pen"], "i": ["ink"]}


class TestGroupByLetter(unittest.TestCase):
    def test_empty_strings_skipped(self):
        self.assertEqual(group_by_letter(["", "sun", ""]), {"s": ["sun"]})

    def test_one_word_each(self):
        self.assertEqual(
            group_by_letter(["zebra", "yak", "xylophone"]),
            {"z": ["zebra"], "y": ["yak"], "x": ["xylophone"]},
        )

    def test_only_empty_strings(self):
        self.assertEqual(group_by_letter([""]), {})
