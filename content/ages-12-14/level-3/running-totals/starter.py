def running_totals(numbers):
    totals = []
    for number in numbers:
        totals.append(number)
    return totals
