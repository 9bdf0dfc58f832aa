from solution import Fraction


def test_reduced_on_creation():
    f = Fraction(6, 8)
    assert (f.numerator, f.denominator) == (3, 4)
    assert str(f) == "3/4"


def test_add_halves_and_thirds():
    assert str(Fraction(1, 2).add(Fraction(1, 3))) == "5/6"
