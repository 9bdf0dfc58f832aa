from solution import anagram_groups


def test_groups_of_four():
    assert anagram_groups("words.txt", 4) == [
        ["enlist", "listen", "silent", "tinsel"],
        ["evil", "live", "veil", "vile"],
        ["notes", "onset", "stone", "tones"],
    ]


def test_default_arguments():
    assert anagram_groups() == [
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
    ]
