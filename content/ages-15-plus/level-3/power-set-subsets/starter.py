def subsets(items):
    # Only the empty subset and the one-element subsets so far.
    # Think recursively: what are the subsets of items[1:]?
    result = [[]]
    for x in items:
        result.append([x])
    return result
