word = input()
print("You shout: " + word)
print("The mountain says: " + word)
