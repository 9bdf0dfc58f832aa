def top_word(text):
    cleaned = text.lower()
    for mark in ".,!?":
        cleaned = cleaned.replace(mark, " ")
    words = cleaned.split()
    if not words:
        raise ValueError("the text has no words")
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    best = words[0]
    for word in words:
        if counts[word] > counts[best]:
            best = word
    return best
