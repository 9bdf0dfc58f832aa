import unittest

from solution import basket_total

MENU = {"toast": 25, "muffin": 80, "milk": 40, "water": 0}


def test_single_item():
    assert basket_total(["muffin"], MENU) == 80


def test_many_repeats():
    assert basket_total(["milk", "milk", "milk", "toast"], MENU) == 145


def test_free_item():
    assert basket_total(["water", "water"], MENU) == 0


class TestBasketTotal(unittest.TestCase):
    def test_unknown_item(self):
        with self.assertRaises(KeyError):
            basket_total(["toast", "pizza"], MENU)

    def test_everything(self):
        self.assertEqual(basket_total(["toast", "muffin", "milk", "water"], MENU), 145)
