import turtle


def triangle(size):
    # Draw a triangle with sides of size steps
    pass
