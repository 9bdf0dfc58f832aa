from solution import slices_each


def test_example_from_the_statement():
    result = slices_each(2, 5)
    assert result == 3, f"2 pizzas = 16 slices, shared by 5 friends is 3 each, but got {result}"


def test_one_pizza_two_friends():
    result = slices_each(1, 2)
    assert result == 4, f"1 pizza = 8 slices, shared by 2 friends is 4 each, but got {result}"
