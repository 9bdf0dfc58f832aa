import string
import sys

k = int(input())
text = sys.stdin.read()

counts = {}
for piece in text.split():
    word = piece.lower().strip(string.punctuation)
    if word:
        counts[word] = counts.get(word, 0) + 1

if not counts:
    print("no words")

ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
for word, count in ranked[:k]:
    print(word, count)
