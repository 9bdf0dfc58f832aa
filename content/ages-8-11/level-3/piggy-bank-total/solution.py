coins = int(input())
total = 0
for i in range(coins):
    value = int(input())
    total = total + value
print("Total:", total)
