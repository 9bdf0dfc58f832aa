socks = int(input())
print("Pairs:", socks // 2)
if socks % 2 == 1:
    print("One lonely sock!")
else:
    print("Every sock has a partner!")
