def is_mirror_word(word):
    # Compare the word with the word backwards.
    return False
