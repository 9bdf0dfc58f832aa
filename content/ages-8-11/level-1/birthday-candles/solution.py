age = int(input())
print("Happy birthday!")
print("You are " + str(age) + " years old.")
print("Next year you will be " + str(age + 1) + ".")
