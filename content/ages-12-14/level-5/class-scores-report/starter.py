n = int(input())
total = 0
for i in range(n):
    name, score = input().split()
    total = total + int(score)
print("Average:", round(total / n, 1))
# Also work out and print the top student.
