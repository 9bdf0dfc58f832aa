def ticket_price(age):
    if age < 5:
        return 0
    # Add the other age groups here.
    return 10
