def transpose(matrix):
    # This only copies the rows. Turn the columns into rows instead.
    return [list(row) for row in matrix]
