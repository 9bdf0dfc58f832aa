import unittest

from solution import ticket_price


def test_baby_is_free():
    assert ticket_price(0) == 0


def test_edge_twelve_and_thirteen():
    assert ticket_price(12) == 6
    assert ticket_price(13) == 10


def test_edge_four_and_five():
    assert ticket_price(4) == 0
    assert ticket_price(5) == 6


class TestSeniorsAndErrors(unittest.TestCase):
    def test_senior(self):
        self.assertEqual(ticket_price(65), 7)
        self.assertEqual(ticket_price(90), 7)

    def test_sixty_four(self):
        self.assertEqual(ticket_price(64), 10)

    def test_negative_age(self):
        with self.assertRaises(ValueError):
            ticket_price(-1)
