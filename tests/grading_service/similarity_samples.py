"""Submissions for the similarity tests, written the way different learners write.

Word statistics (a medium problem): ``clean_word``, ``count_words``, ``top_words``.
``WORDS_ORIGINAL`` is one learner's solution and ``WORDS_PLANTED_COPY`` another learner's
disguised copy of it; ``WORDS_INDEPENDENT`` are eight solutions written independently.
``WORDS_PARTIAL_COPY`` copies two of the original's three functions. ``IS_EVEN``, ``TOTAL``
and ``FIZZBUZZ`` are easy problems where many children write the same lines.
``TABLE_STARTER`` is a long starter that learners keep, filling in one short function.
"""

import re

WORDS_STARTER = '''\
def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    # your code here


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    # your code here


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    # your code here
'''

WORDS_ORIGINAL = '''\
PUNCTUATION = ".,;:!?\\"'()-"


def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    word = word.lower()
    while len(word) > 0 and word[0] in PUNCTUATION:
        word = word[1:]
    while len(word) > 0 and word[-1] in PUNCTUATION:
        word = word[:-1]
    return word


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    counts = {}
    for line in text.splitlines():
        for raw in line.split():
            word = clean_word(raw)
            if word == "":
                continue  # it was only punctuation
            if word not in counts:
                counts[word] = 0
            counts[word] = counts[word] + 1
    return counts


def by_count(item):
    # sort key: biggest count first, then the word
    return (-item[1], item[0])


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    pairs = list(counts.items())
    pairs.sort(key=by_count)
    result = []
    for i in range(min(n, len(pairs))):
        result.append(pairs[i])
    return result


if __name__ == "__main__":
    story = "The cat sat. The cat ran! A dog? The end."
    totals = count_words(story)
    print("all words:", totals)
    print("top 2:", top_words(totals, 2))
'''

# Every name renamed, comments and docstrings reworded, strings and numbers changed,
# the functions in a different order.
WORDS_PLANTED_COPY = """\
def sort_rule(entry):
    # most frequent first, ties by alphabet
    return (-entry[1], entry[0])


def top_words(freq, how_many):
    '''Gives back the most frequent words.'''
    everything = list(freq.items())
    everything.sort(key=sort_rule)
    answer = []
    for k in range(min(how_many, len(everything))):
        answer.append(everything[k])
    return answer


SYMBOLS = "!?.,:;()'-"


def clean_word(w):
    '''Lowercase + strip symbols.'''
    w = w.lower()
    while len(w) > 0 and w[0] in SYMBOLS:
        w = w[1:]
    while len(w) > 0 and w[-1] in SYMBOLS:
        w = w[:-1]
    return w


def count_words(txt):
    '''Counts every word.'''
    tally = {}
    for row in txt.splitlines():
        for piece in row.split():
            cleaned = clean_word(piece)
            if cleaned == '':
                continue  # skip empty ones
            if cleaned not in tally:
                tally[cleaned] = 0
            tally[cleaned] = tally[cleaned] + 1
    return tally


if __name__ == "__main__":
    sample = "Hello hello world. World of words!"
    result = count_words(sample)
    print("counted:", result)
    print("best three:", top_words(result, 3))
"""

WORDS_INDEPENDENT = {
    # Plain for loops, if/else counting, strip(), sorted with a lambda.
    "amira": '''\
def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    return word.strip(".,!?;:'\\"()").lower()


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    counts = {}
    for w in text.split():
        w = clean_word(w)
        if w != "":
            if w in counts:
                counts[w] += 1
            else:
                counts[w] = 1
    return counts


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return ordered[:n]
''',
    # dict.get, a comprehension for cleaning, two stable sorts.
    "ben": '''\
import string


def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    word = word.lower()
    start = 0
    end = len(word)
    while start < end and word[start] in string.punctuation:
        start += 1
    while end > start and word[end - 1] in string.punctuation:
        end -= 1
    return word[start:end]


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    words = [clean_word(w) for w in text.split()]
    counts = {}
    for word in words:
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    items = sorted(counts.items())
    items.sort(key=lambda x: x[1], reverse=True)
    return items[:n]
''',
    # Collections.Counter; a helper set of characters.
    "chloe": '''\
from collections import Counter

PUNCT = set("!?.,;:-'\\"()")


def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    word = word.lower()
    while word and word[0] in PUNCT:
        word = word[1:]
    while word and word[-1] in PUNCT:
        word = word[:-1]
    return word


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    c = Counter()
    for token in text.split():
        cleaned = clean_word(token)
        if cleaned:
            c[cleaned] += 1
    return dict(c)


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    best = sorted(counts, key=lambda w: (-counts[w], w))
    return [(w, counts[w]) for w in best[:n]]
''',
    # While loops with indexes everywhere, a hand-written selection of the top n.
    "dev": """\
def clean_word(word):
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    word = word.lower()
    i = 0
    while i < len(word) and word[i] not in letters:
        i = i + 1
    j = len(word) - 1
    while j >= i and word[j] not in letters:
        j = j - 1
    return word[i : j + 1]


def count_words(text):
    words = text.split()
    result = {}
    i = 0
    while i < len(words):
        w = clean_word(words[i])
        if len(w) > 0:
            if w in result:
                result[w] = result[w] + 1
            else:
                result[w] = 1
        i = i + 1
    return result


def top_words(counts, n):
    left = dict(counts)
    top = []
    while len(top) < n and len(left) > 0:
        best_word = None
        for word in left:
            if best_word is None:
                best_word = word
            elif left[word] > left[best_word]:
                best_word = word
            elif left[word] == left[best_word] and word < best_word:
                best_word = word
        top.append((best_word, left[best_word]))
        del left[best_word]
    return top
""",
    # setdefault, a set of characters built with a comprehension, a slice of a sort.
    "elif": '''\
def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    chars = list(word.lower())
    while chars and not chars[0].isalnum():
        chars.pop(0)
    while chars and not chars[-1].isalnum():
        chars.pop()
    return "".join(chars)


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    counts = {}
    for w in [clean_word(part) for part in text.split()]:
        if len(w) == 0:
            continue
        counts.setdefault(w, 0)
        counts[w] += 1
    return counts


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    def key(item):
        word, count = item
        return -count, word

    return sorted(counts.items(), key=key)[0:n]
''',
    # Character by character, try/except for counting, repeated max() for the top.
    "fatima": """\
def clean_word(word):
    # keep the letters in the middle, drop marks at the ends
    word = word.lower()
    first = 0
    for ch in word:
        if ch.isalpha() or ch.isdigit():
            break
        first += 1
    last = len(word)
    for ch in reversed(word):
        if ch.isalpha() or ch.isdigit():
            break
        last -= 1
    if first >= last:
        return ""
    return word[first:last]


def count_words(text):
    counts = {}
    for piece in text.split():
        word = clean_word(piece)
        if not word:
            continue
        try:
            counts[word] += 1
        except KeyError:
            counts[word] = 1
    return counts


def top_words(counts, n):
    remaining = counts.copy()
    answer = []
    for _ in range(n):
        if not remaining:
            break
        biggest = max(remaining.values())
        word = min(w for w in remaining if remaining[w] == biggest)
        answer.append((word, biggest))
        remaining.pop(word)
    return answer
""",
    # Index loops over a list of words, a counts list and a words list side by side.
    "george": """\
def clean_word(word):
    marks = ".,!?;:'()-\\""
    return word.lower().strip(marks)


def count_words(text):
    seen = []
    numbers = []
    for word in text.replace("\\n", " ").split(" "):
        word = clean_word(word)
        if word == "":
            continue
        if word in seen:
            position = seen.index(word)
            numbers[position] = numbers[position] + 1
        else:
            seen.append(word)
            numbers.append(1)
    counts = {}
    for i in range(len(seen)):
        counts[seen[i]] = numbers[i]
    return counts


def top_words(counts, n):
    words = list(counts.keys())
    words.sort()
    for i in range(len(words)):
        for j in range(len(words) - 1 - i):
            if counts[words[j]] < counts[words[j + 1]]:
                words[j], words[j + 1] = words[j + 1], words[j]
    return [(word, counts[word]) for word in words[:n]]
""",
    # A small class doing the work, the functions calling it.
    "hana": '''\
class WordCounter:
    def __init__(self):
        self.counts = {}

    def add(self, word):
        self.counts[word] = self.counts.get(word, 0) + 1

    def most_common(self, n):
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:n]


def clean_word(word):
    """Return the word in lower case, without punctuation at either end."""
    result = ""
    for ch in word.lower():
        if ch.isalnum() or (result and ch in "'-"):
            result += ch
    return result.rstrip("'-")


def count_words(text):
    """Return a dict that maps each cleaned word of text to how often it occurs."""
    counter = WordCounter()
    for word in map(clean_word, text.split()):
        if word:
            counter.add(word)
    return counter.counts


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    counter = WordCounter()
    counter.counts = dict(counts)
    return counter.most_common(n)
''',
}

# Easy problem: is the number even? Written the ways children write it, several of them
# the same line for line; some test their function with prints.
IS_EVEN = {
    "ava": "def is_even(n):\n    return n % 2 == 0\n",
    "bilal": (
        "def is_even(number):\n"
        "    if number % 2 == 0:\n"
        "        return True\n"
        "    else:\n"
        "        return False\n"
    ),
    "cora": (
        "def is_even(x):\n"
        "    if x % 2 == 0:\n"
        "        return True\n"
        "    return False\n"
        "\n"
        "\n"
        "print(is_even(4))\n"
        "print(is_even(7))\n"
    ),
    "dan": (
        "def is_even(num):\n"
        "    remainder = num % 2\n"
        "    if remainder == 0:\n"
        "        return True\n"
        "    else:\n"
        "        return False\n"
    ),
    "emma": "def is_even(n):\n    return not n % 2\n",
    "finn": (
        "def is_even(n):\n"
        "    # odd numbers leave 1 over\n"
        "    if n % 2 == 1:\n"
        "        return False\n"
        "    else:\n"
        "        return True\n"
    ),
    "gita": "def is_even(value):\n    return value % 2 == 0  # even means no remainder\n",
    "hugo": "def is_even(n):\n    return (n // 2) * 2 == n\n",
    "isla": (
        "def is_even(n):\n"
        "    even = False\n"
        "    if n % 2 == 0:\n"
        "        even = True\n"
        "    return even\n"
    ),
    "jon": (
        "def is_even(n):\n"
        "    if n % 2 == 0:\n"
        '        print("even")\n'
        "        return True\n"
        "    else:\n"
        '        print("odd")\n'
        "        return False\n"
        "\n"
        "\n"
        "is_even(10)\n"
    ),
    "kemal": (
        "def is_even(a):\n"
        "    if a % 2 == 0:\n"
        "        return True\n"
        "    else:\n"
        "        return False\n"
        "\n"
        "\n"
        'print("4 is even:", is_even(4))\n'
        'print("9 is even:", is_even(9))\n'
    ),
    "lena": (
        "def is_even(n):\n"
        '    """True if n is even."""\n'
        "    return n % 2 == 0\n"
        "\n"
        "\n"
        "for i in range(5):\n"
        "    print(i, is_even(i))\n"
    ),
}

# Easy problem: add up a list without sum(). The loop with an accumulator is what most
# children write, word for word.
TOTAL = {
    "ava": (
        "def total(numbers):\n"
        "    result = 0\n"
        "    for n in numbers:\n"
        "        result = result + n\n"
        "    return result\n"
    ),
    "bilal": (
        "def total(numbers):\n    t = 0\n    for x in numbers:\n        t += x\n    return t\n"
    ),
    "cora": (
        "def total(numbers):\n"
        "    s = 0\n"
        "    for num in numbers:\n"
        "        s += num\n"
        "    return s\n"
        "\n"
        "\n"
        "print(total([1, 2, 3]))\n"
    ),
    "dan": (
        "def total(numbers):\n"
        "    answer = 0\n"
        "    for i in range(len(numbers)):\n"
        "        answer = answer + numbers[i]\n"
        "    return answer\n"
    ),
    "emma": (
        "def total(numbers):\n"
        "    sum_so_far = 0\n"
        "    i = 0\n"
        "    while i < len(numbers):\n"
        "        sum_so_far += numbers[i]\n"
        "        i += 1\n"
        "    return sum_so_far\n"
    ),
    "finn": (
        "def total(numbers):\n"
        "    # add them one by one\n"
        "    count = 0\n"
        "    for number in numbers:\n"
        "        count += number\n"
        "    return count\n"
    ),
    "gita": (
        "def total(nums):\n"
        "    if len(nums) == 0:\n"
        "        return 0\n"
        "    return nums[0] + total(nums[1:])\n"
    ),
    "hugo": (
        "def total(numbers):\n"
        "    total = 0\n"
        "    for n in numbers:\n"
        "        total = total + n\n"
        "    return total\n"
        "\n"
        "\n"
        'print("total is", total([4, 5, 6]))\n'
    ),
    "isla": (
        "def total(numbers):\n"
        "    result = 0\n"
        "    for value in numbers:\n"
        "        result += value\n"
        "        print(result)\n"
        "    return result\n"
    ),
    "jon": (
        "def total(list_of_numbers):\n"
        "    total_so_far = 0\n"
        "    for item in list_of_numbers:\n"
        "        total_so_far = item + total_so_far\n"
        "    return total_so_far\n"
    ),
}

# A problem whose starter gives the learner most of the program: reading and printing
# a table of scores. The learner writes only ``average``.
TABLE_STARTER = '''\
def read_scores(text):
    """Turn lines like "Ada: 7, 9, 10" into a dict of name -> list of scores."""
    table = {}
    for line in text.strip().splitlines():
        name, _, rest = line.partition(":")
        scores = [int(part) for part in rest.split(",") if part.strip()]
        table[name.strip()] = scores
    return table


def print_table(table, averages):
    """Print each name with its scores and average, best average first."""
    names = sorted(table, key=lambda name: averages[name], reverse=True)
    width = max(len(name) for name in names)
    for name in names:
        scores = ", ".join(str(s) for s in table[name])
        print(f"{name:<{width}}  {scores:<20}  {averages[name]:.1f}")


def average(scores):
    """Return the average of the scores, or 0.0 for no scores."""
    # your code here


if __name__ == "__main__":
    data = """
Ada: 7, 9, 10
Grace: 8, 8
Linus: 5, 9, 6, 10
"""
    table = read_scores(data)
    averages = {name: average(scores) for name, scores in table.items()}
    print_table(table, averages)
'''

TABLE_AVERAGES = {
    "ava": ("    if len(scores) == 0:\n        return 0.0\n    return sum(scores) / len(scores)\n"),
    "bilal": (
        "    total = 0\n"
        "    for s in scores:\n"
        "        total += s\n"
        "    if scores:\n"
        "        return total / len(scores)\n"
        "    return 0.0\n"
    ),
    "cora": (
        "    try:\n"
        "        return sum(scores) / len(scores)\n"
        "    except ZeroDivisionError:\n"
        "        return 0.0\n"
    ),
}


def table_submission(average_body: str) -> str:
    """The starter with the learner's body of ``average`` filled in."""
    return TABLE_STARTER.replace("    # your code here\n", average_body)


# Another learner copied clean_word and count_words from WORDS_ORIGINAL (renamed, the
# comments dropped) and wrote top_words themselves.
WORDS_PARTIAL_COPY = '''\
MARKS = "()-.,;:!?'"


def clean_word(token):
    token = token.lower()
    while len(token) > 0 and token[0] in MARKS:
        token = token[1:]
    while len(token) > 0 and token[-1] in MARKS:
        token = token[:-1]
    return token


def count_words(story):
    found = {}
    for sentence in story.splitlines():
        for bit in sentence.split():
            w = clean_word(bit)
            if w == "":
                continue
            if w not in found:
                found[w] = 0
            found[w] = found[w] + 1
    return found


def top_words(counts, n):
    """Return the n most common (word, count) pairs, most common first.

    Words with the same count are in alphabetical order.
    """
    best = []
    for word in sorted(counts):
        best.append((counts[word], word))
    best.sort(key=lambda t: -t[0])
    return [(w, c) for c, w in best][:n]
'''


def rename(code: str, names: dict[str, str]) -> str:
    """``code`` with whole-word names replaced: the quickest disguise a copier uses."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return pattern.sub(lambda m: names[m.group(1)], code)


# Easy problem: FizzBuzz for one number. The if/elif ladder is what a class writes, many
# of them word for word; it is long enough to look like a match.
FIZZBUZZ = {
    "ava": (
        "def fizzbuzz(n):\n"
        "    if n % 15 == 0:\n"
        '        return "FizzBuzz"\n'
        "    elif n % 3 == 0:\n"
        '        return "Fizz"\n'
        "    elif n % 5 == 0:\n"
        '        return "Buzz"\n'
        "    else:\n"
        "        return str(n)\n"
    ),
    "bilal": (
        "def fizzbuzz(number):\n"
        "    if number % 3 == 0 and number % 5 == 0:\n"
        '        return "FizzBuzz"\n'
        "    elif number % 3 == 0:\n"
        '        return "Fizz"\n'
        "    elif number % 5 == 0:\n"
        '        return "Buzz"\n'
        "    else:\n"
        "        return str(number)\n"
    ),
    "cora": (
        "def fizzbuzz(n):\n"
        '    answer = ""\n'
        "    if n % 3 == 0:\n"
        '        answer += "Fizz"\n'
        "    if n % 5 == 0:\n"
        '        answer += "Buzz"\n'
        '    if answer == "":\n'
        "        answer = str(n)\n"
        "    return answer\n"
    ),
    "dan": (
        "def fizzbuzz(x):\n"
        "    if x % 15 == 0:\n"
        '        return "FizzBuzz"\n'
        "    if x % 3 == 0:\n"
        '        return "Fizz"\n'
        "    if x % 5 == 0:\n"
        '        return "Buzz"\n'
        "    return str(x)\n"
    ),
    "emma": (
        "def fizzbuzz(n):\n"
        "    if n % 3 == 0 and n % 5 == 0:\n"
        '        return "FizzBuzz"\n'
        "    elif n % 3 == 0:\n"
        '        return "Fizz"\n'
        "    elif n % 5 == 0:\n"
        '        return "Buzz"\n'
        "    else:\n"
        "        return str(n)\n"
        "\n"
        "\n"
        "for i in range(1, 16):\n"
        "    print(fizzbuzz(i))\n"
    ),
    "finn": (
        "def fizzbuzz(n):\n"
        "    fizz = n % 3 == 0\n"
        "    buzz = n % 5 == 0\n"
        "    if fizz and buzz:\n"
        '        return "FizzBuzz"\n'
        "    if fizz:\n"
        '        return "Fizz"\n'
        "    if buzz:\n"
        '        return "Buzz"\n'
        "    return str(n)\n"
    ),
    "gita": (
        "def fizzbuzz(num):\n"
        "    if num % 15 == 0:\n"
        '        return "FizzBuzz"\n'
        "    elif num % 3 == 0:\n"
        '        return "Fizz"\n'
        "    elif num % 5 == 0:\n"
        '        return "Buzz"\n'
        "    else:\n"
        "        return str(num)\n"
        "\n"
        "\n"
        "print(fizzbuzz(15), fizzbuzz(9), fizzbuzz(10), fizzbuzz(7))\n"
    ),
    "hugo": (
        "def fizzbuzz(n):\n"
        '    words = {3: "Fizz", 5: "Buzz"}\n'
        '    out = ""\n'
        "    for d in words:\n"
        "        if n % d == 0:\n"
        "            out = out + words[d]\n"
        "    return out or str(n)\n"
    ),
    "isla": (
        "def fizzbuzz(i):\n"
        "    if i % 5 == 0 and i % 3 == 0:\n"
        '        return "FizzBuzz"\n'
        "    elif i % 5 == 0:\n"
        '        return "Buzz"\n'
        "    elif i % 3 == 0:\n"
        '        return "Fizz"\n'
        "    return str(i)\n"
    ),
    "jon": (
        "def fizzbuzz(n):\n"
        "    # multiples of both first!\n"
        "    if n % 15 == 0:\n"
        '        return "FizzBuzz"\n'
        "    elif n % 3 == 0:\n"
        '        return "Fizz"\n'
        "    elif n % 5 == 0:\n"
        '        return "Buzz"\n'
        "    return str(n)\n"
    ),
}
