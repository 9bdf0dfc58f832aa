age = int(input())
print("Happy birthday!")
# Print the other two lines here.
