def ticket_price(age):
    if age < 0:
        raise ValueError("age cannot be negative")
    if age <= 4:
        return 0
    elif age <= 12:
        return 6
    elif age <= 64:
        return 10
    else:
        return 7
