temperature = int(input())
if temperature < 10:
    print("Brrr! Wear a coat.")
else:
    print("Nice! Wear a t-shirt.")
