import unittest

from solution import collatz_steps


def test_power_of_two():
    assert collatz_steps(16) == 4


def test_two():
    assert collatz_steps(2) == 1


def test_twenty_seven_takes_long():
    assert collatz_steps(27) == 111


class TestCollatzErrors(unittest.TestCase):
    def test_seven(self):
        self.assertEqual(collatz_steps(7), 16)

    def test_zero(self):
        with self.assertRaises(ValueError):
            collatz_steps(0)

    def test_negative(self):
        with self.assertRaises(ValueError):
            collatz_steps(-5)
