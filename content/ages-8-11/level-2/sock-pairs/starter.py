socks = int(input())
print("Pairs:", socks // 2)
print("Every sock has a partner!")
