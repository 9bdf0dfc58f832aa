import turtle

# Pick a red pen, then draw your star here
