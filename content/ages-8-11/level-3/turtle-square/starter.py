import turtle

# Draw your square here
