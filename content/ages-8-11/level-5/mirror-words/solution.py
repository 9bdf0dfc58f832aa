def is_mirror_word(word):
    small = word.lower()
    return small == small[::-1]
