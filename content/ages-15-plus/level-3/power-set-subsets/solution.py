def subsets(items):
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    without_first = subsets(rest)
    with_first = [[first] + s for s in without_first]
    return without_first + with_first
