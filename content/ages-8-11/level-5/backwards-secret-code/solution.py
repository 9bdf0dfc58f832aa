def secret_code(word):
    return word[::-1].upper()
