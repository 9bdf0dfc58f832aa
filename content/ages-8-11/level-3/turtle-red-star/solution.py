import turtle

turtle.pencolor("red")
for point in range(5):
    turtle.forward(150)
    turtle.left(144)
