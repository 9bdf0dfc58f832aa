def biggest_pumpkin(a, b, c):
    biggest = a
    if b > biggest:
        biggest = b
    # What about c?
    return biggest
