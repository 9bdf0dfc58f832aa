name = input()
print("Beep boop!")
# Now print the second line. Use the name!
