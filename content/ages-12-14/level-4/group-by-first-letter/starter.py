def group_by_letter(words):
    groups = {}
    for word in words:
        groups[word[0]] = [word]
    return groups
