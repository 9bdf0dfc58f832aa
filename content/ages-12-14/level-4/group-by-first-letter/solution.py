def group_by_letter(words):
    groups = {}
    for word in words:
        if word == "":
            continue
        letter = word[0].lower()
        if letter not in groups:
            groups[letter] = []
        groups[letter].append(word)
    return groups
