def count_votes(votes):
    counts = {}
    for name in votes:
        counts[name] = 1
    return counts
