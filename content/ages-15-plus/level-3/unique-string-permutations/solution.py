def permutations(s):
    if len(s) <= 1:
        return [s]
    found = set()
    for i in range(len(s)):
        for rest in permutations(s[:i] + s[i + 1:]):
            found.add(s[i] + rest)
    return sorted(found)
