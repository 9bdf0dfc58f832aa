def anagram_groups(path="words.txt", min_size=2):
    with open(path, encoding="utf-8") as f:
        words = [line.strip() for line in f]
    # TODO: skip blanks and comments, group the words by a key that anagrams share,
    # and return the sorted groups that have at least min_size words.
    return []
