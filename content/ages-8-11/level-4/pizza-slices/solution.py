def slices_each(pizzas, friends):
    slices = pizzas * 8
    return slices // friends
