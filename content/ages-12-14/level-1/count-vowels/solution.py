def count_vowels(text):
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    return sum(1 for letter in text.lower() if letter in "aeiou")
