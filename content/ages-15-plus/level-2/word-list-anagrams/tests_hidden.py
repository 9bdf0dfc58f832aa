import unittest

from solution import anagram_groups


def test_min_size_three_by_keyword():
    assert anagram_groups("words.txt", min_size=3) == [
        ["angel", "angle", "glean"],
        ["art", "rat", "tar"],
        ["below", "bowel", "elbow"],
        ["earth", "hater", "heart"],
        ["enlist", "listen", "silent", "tinsel"],
        ["evil", "live", "veil", "vile"],
        ["notes", "onset", "stone", "tones"],
    ]


def test_no_group_that_large():
    assert anagram_groups("words.txt", 5) == []


def test_repeated_word_is_not_its_own_anagram():
    assert anagram_groups("few_words.txt") == []


class TestAnagramGroups(unittest.TestCase):
    def test_min_size_one_keeps_single_words(self):
        self.assertEqual(
            anagram_groups("words.txt", 1),
            [
                ["act", "cat"],
                ["angel", "angle", "glean"],
                ["apple"],
                ["art", "rat", "tar"],
                ["banana"],
                ["below", "bowel", "elbow"],
                ["dog", "god"],
                ["dusty", "study"],
                ["earth", "hater", "heart"],
                ["enlist", "listen", "silent", "tinsel"],
                ["evil", "live", "veil", "vile"],
                ["google"],
                ["mono", "moon"],
                ["night", "thing"],
                ["notes", "onset", "stone", "tones"],
                ["orange"],
                ["python"],
                ["sun"],
            ],
        )

    def test_small_file_lowercase_stripped_deduplicated(self):
        self.assertEqual(anagram_groups("few_words.txt", 1), [["cat"], ["owl"], ["zebra"]])

    def test_explicit_path_same_as_default(self):
        self.assertEqual(
            anagram_groups("words.txt"),
            [
                ["act", "cat"],
                ["angel", "angle", "glean"],
                ["art", "rat", "tar"],
                ["below", "bowel", "elbow"],
                ["dog", "god"],
                ["dusty", "study"],
                ["earth", "hater", "heart"],
                ["enlist", "listen", "silent", "tinsel"],
                ["evil", "live", "veil", "vile"],
                ["mono", "moon"],
                ["night", "thing"],
                ["notes", "onset", "stone", "tones"],
            ],
        )
