def anagram_groups(path="words.txt", min_size=2):
    groups = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word = line.strip().lower()
            if not word or word.startswith("#"):
                continue
            groups.setdefault("".join(sorted(word)), set()).add(word)
    # Groups are disjoint, so sorting the lists sorts them by their first word.
    return sorted(sorted(group) for group in groups.values() if len(group) >= min_size)
