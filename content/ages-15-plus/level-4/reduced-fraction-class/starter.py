class Fraction:
    def __init__(self, numerator, denominator=1):
        # TODO: check for zero, reduce to lowest terms, make the denominator positive
        self.numerator = numerator
        self.denominator = denominator

    def add(self, other):
        n = self.numerator * other.denominator + other.numerator * self.denominator
        d = self.denominator * other.denominator
        return Fraction(n, d)

    def subtract(self, other):
        pass

    def multiply(self, other):
        pass

    def divide(self, other):
        pass

    def __str__(self):
        return f"{self.numerator}/{self.denominator}"

    def __eq__(self, other):
        return (self.numerator == other.numerator
                and self.denominator == other.denominator)
