def transpose(matrix):
    if not matrix or not matrix[0]:
        return []
    return [[row[c] for row in matrix] for c in range(len(matrix[0]))]
