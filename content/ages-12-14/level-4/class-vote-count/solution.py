def count_votes(votes):
    counts = {}
    for name in votes:
        key = name.lower()
        counts[key] = counts.get(key, 0) + 1
    return counts
