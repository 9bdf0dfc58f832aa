def permutations(s):
    if len(s) <= 1:
        return [s]
    # TODO: for each letter, put it first and arrange the rest recursively
    return [s]
