import turtle


def triangle(size):
    for corner in range(3):
        turtle.forward(size)
        turtle.left(120)
