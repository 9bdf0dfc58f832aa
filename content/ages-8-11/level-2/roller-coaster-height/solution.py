height = int(input())
if height >= 120:
    print("You can ride!")
else:
    print("Grow " + str(120 - height) + " more cm first.")
