def invert(d):
    result = {}
    for key, value in d.items():
        result.setdefault(value, []).append(key)
    for keys in result.values():
        keys.sort()
    return result
