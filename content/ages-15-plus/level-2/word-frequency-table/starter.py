import sys

k = int(input())
text = sys.stdin.read()

counts = {}
for word in text.split():
    # TODO: make words lowercase and strip punctuation from their ends
    counts[word] = counts.get(word, 0) + 1

# TODO: sort by count (highest first), then alphabetically
for word, count in list(counts.items())[:k]:
    print(word, count)
