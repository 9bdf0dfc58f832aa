import unittest

from solution import add


def test_negative_numbers():
    assert add(-4, -6) == -10


def test_mixed_signs():
    assert add(-7, 10) == 3


def test_large_numbers():
    assert add(10**12, 10**12) == 2 * 10**12


class TestFloats(unittest.TestCase):
    def test_floats(self):
        self.assertAlmostEqual(add(0.1, 0.2), 0.3)
