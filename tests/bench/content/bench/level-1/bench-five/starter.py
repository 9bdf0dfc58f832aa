def digit_sum(n):
    # Replace the line below with your answer.
    pass
