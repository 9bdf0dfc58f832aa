import unittest

from solution import invert


def test_all_values_different():
    assert invert({"x": 1, "y": 2, "z": 3}) == {1: ["x"], 2: ["y"], 3: ["z"]}


def test_all_values_same_sorted():
    assert invert({"pear": 0, "fig": 0, "apple": 0}) == {0: ["apple", "fig", "pear"]}


def test_single_entry():
    assert invert({"only": "one"}) == {"one": ["only"]}


class TestInvertMore(unittest.TestCase):
    def test_grades(self):
        grades = {"tom": "B", "ana": "A", "li": "B", "sam": "C", "eve": "A", "bo": "B"}
        self.assertEqual(
            invert(grades),
            {"A": ["ana", "eve"], "B": ["bo", "li", "tom"], "C": ["sam"]},
        )

    def test_number_of_keys(self):
        d = {"k%d" % i: i % 4 for i in range(10)}
        result = invert(d)
        self.assertEqual(sorted(result), [0, 1, 2, 3])
        self.assertEqual(result[1], ["k1", "k5", "k9"])
