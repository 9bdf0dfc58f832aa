temperature = int(input())
if temperature < 10:
    print("Brrr! Wear a coat.")
elif temperature < 25:
    print("Nice! Wear a t-shirt.")
else:
    print("Hot! Have an ice cream.")
