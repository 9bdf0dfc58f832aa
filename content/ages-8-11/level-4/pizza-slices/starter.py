def slices_each(pizzas, friends):
    # Work out the number of slices, then share them.
    return pizzas * 8
