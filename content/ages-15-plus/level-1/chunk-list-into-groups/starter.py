def chunk(items, size):
    groups = []
    # Fill `groups` with lists of `size` elements each.
    return groups
