import unittest

from solution import triples


def test_exactly_five():
    assert [tuple(t) for t in triples(5)] == [(3, 4, 5)]


def test_zero_and_one():
    assert triples(0) == []
    assert triples(1) == []


def test_up_to_twenty():
    assert [tuple(t) for t in triples(20)] == [
        (3, 4, 5), (5, 12, 13), (6, 8, 10), (8, 15, 17), (9, 12, 15), (12, 16, 20),
    ]


class TestBigger(unittest.TestCase):
    def test_up_to_thirty_count_and_order(self):
        result = [tuple(t) for t in triples(30)]
        self.assertEqual(len(result), 11)
        self.assertEqual(result, sorted(result))
        self.assertIn((7, 24, 25), result)
        self.assertIn((20, 21, 29), result)

    def test_every_triple_is_valid(self):
        result = triples(60)
        self.assertEqual(len(result), 26)
        for a, b, c in result:
            self.assertTrue(1 <= a < b < c <= 60)
            self.assertEqual(a * a + b * b, c * c)
