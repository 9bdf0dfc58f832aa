def flatten(nested):
    result = []
    for item in nested:
        if isinstance(item, list):
            # This only goes ONE level down. Use recursion instead.
            result.extend(item)
        else:
            result.append(item)
    return result
