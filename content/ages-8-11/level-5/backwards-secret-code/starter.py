def secret_code(word):
    # Turn the word around and make it capital letters.
    return word.upper()
