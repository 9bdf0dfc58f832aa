coins = int(input())
total = 0
# Use a loop to read each coin and add it to total.
print("Total:", total)
