def top_word(text):
    words = text.split()
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    # Find the word with the biggest count.
    return words[0]
