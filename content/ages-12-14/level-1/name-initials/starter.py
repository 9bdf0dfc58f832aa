def initials(full_name):
    # Split the name into words and take the first letter of each one.
    return full_name[0]
