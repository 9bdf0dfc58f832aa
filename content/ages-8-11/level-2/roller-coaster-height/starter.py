height = int(input())
if height > 120:
    print("You can ride!")
else:
    print("Grow more first.")
