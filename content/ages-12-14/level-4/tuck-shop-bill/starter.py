def basket_total(basket, prices):
    total = 0
    # Look up each item's price and add it to total.
    return total
