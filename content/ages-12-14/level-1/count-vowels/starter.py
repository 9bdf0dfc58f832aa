def count_vowels(text):
    count = 0
    # Look at each letter of text and add 1 to count when it is a vowel.
    return count
