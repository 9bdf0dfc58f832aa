def even_squares(numbers):
    return [n * n for n in numbers]
