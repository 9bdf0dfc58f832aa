n = int(input())
# Count down here with a loop.
print("Liftoff!")
