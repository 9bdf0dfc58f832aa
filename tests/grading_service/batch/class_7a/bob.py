def add(a, b):
    # multiplies by mistake
    return a * b
