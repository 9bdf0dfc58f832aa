def highest_score(scores):
    if len(scores) == 0:
        raise ValueError("no scores")
    best = scores[0]
    for score in scores:
        if score > best:
            best = score
    return best
