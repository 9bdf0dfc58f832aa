def basket_total(basket, prices):
    total = 0
    for item in basket:
        if item not in prices:
            raise KeyError(item)
        total = total + prices[item]
    return total
