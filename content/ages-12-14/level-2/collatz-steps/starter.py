def collatz_steps(n):
    steps = 0
    # Loop until n is 1, changing n and counting steps.
    return steps
