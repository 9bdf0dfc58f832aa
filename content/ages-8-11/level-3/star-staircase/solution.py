n = int(input())
for step in range(1, n + 1):
    print("*" * step)
