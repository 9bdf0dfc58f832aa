name = input()
print("Beep boop!")
print("Hello, " + name + "! I am Robo.")
