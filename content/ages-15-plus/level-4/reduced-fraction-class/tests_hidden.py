import unittest

from solution import Fraction


def test_negative_denominator_moves_sign():
    f = Fraction(4, -10)
    assert (f.numerator, f.denominator) == (-2, 5)
    assert str(f) == "-2/5"
    g = Fraction(-6, -21)
    assert (g.numerator, g.denominator) == (2, 7)


def test_zero_and_whole_numbers():
    z = Fraction(0, -7)
    assert (z.numerator, z.denominator) == (0, 1)
    assert str(z) == "0"
    assert str(Fraction(12, 4)) == "3"
    assert str(Fraction(7)) == "7"


class TestArithmetic(unittest.TestCase):
    def test_zero_denominator(self):
        with self.assertRaises(ZeroDivisionError):
            Fraction(4, 0)

    def test_subtract(self):
        self.assertEqual(str(Fraction(3, 4).subtract(Fraction(1, 4))), "1/2")
        self.assertEqual(str(Fraction(1, 6).subtract(Fraction(1, 2))), "-1/3")

    def test_multiply(self):
        self.assertEqual(str(Fraction(2, 3).multiply(Fraction(9, 10))), "3/5")
        self.assertEqual(str(Fraction(-5, 7).multiply(Fraction(-7, 5))), "1")

    def test_divide(self):
        self.assertEqual(str(Fraction(2, 5).divide(Fraction(4, 15))), "3/2")
        self.assertEqual(str(Fraction(1, 8).divide(Fraction(-1, 2))), "-1/4")

    def test_divide_by_zero_fraction(self):
        with self.assertRaises(ZeroDivisionError):
            Fraction(3, 7).divide(Fraction(0, 2))

    def test_add_gives_whole_number(self):
        total = Fraction(5, 6).add(Fraction(7, 6))
        self.assertEqual((total.numerator, total.denominator), (2, 1))

    def test_operations_do_not_change_operands(self):
        a = Fraction(2, 9)
        b = Fraction(4, 9)
        a.add(b)
        a.multiply(b)
        self.assertEqual((a.numerator, a.denominator), (2, 9))
        self.assertEqual((b.numerator, b.denominator), (4, 9))


class TestEquality(unittest.TestCase):
    def test_equal_values(self):
        self.assertTrue(Fraction(10, 25) == Fraction(-2, -5))
        self.assertFalse(Fraction(1, 3) == Fraction(1, 4))
