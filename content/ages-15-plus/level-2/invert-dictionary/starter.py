def invert(d):
    # This loses keys when two keys share a value, and does not make lists.
    return {value: key for key, value in d.items()}
