import unittest

from solution import MinStack


def test_peek_does_not_remove():
    s = MinStack()
    s.push(11)
    s.push(4)
    assert s.peek() == 4
    assert s.peek() == 4
    assert s.size() == 2
    assert s.is_empty() is False


def test_min_with_duplicates():
    s = MinStack()
    for x in [3, 1, 1, 6]:
        s.push(x)
    assert s.get_min() == 1
    s.pop()
    s.pop()
    assert s.get_min() == 1
    s.pop()
    assert s.get_min() == 3


def test_len_matches_size():
    s = MinStack()
    for x in range(7):
        s.push(x)
    s.pop()
    assert len(s) == 6
    assert s.size() == 6


class TestMinStack(unittest.TestCase):
    def test_empty_errors(self):
        s = MinStack()
        with self.assertRaises(IndexError):
            s.pop()
        with self.assertRaises(IndexError):
            s.peek()
        with self.assertRaises(IndexError):
            s.get_min()

    def test_negative_numbers(self):
        s = MinStack()
        s.push(-2)
        s.push(10)
        s.push(-9)
        self.assertEqual(s.get_min(), -9)
        self.assertEqual(s.pop(), -9)
        self.assertEqual(s.get_min(), -2)

    def test_emptied_then_reused(self):
        s = MinStack()
        s.push(1)
        self.assertEqual(s.pop(), 1)
        self.assertTrue(s.is_empty())
        with self.assertRaises(IndexError):
            s.get_min()
        s.push(30)
        s.push(20)
        self.assertEqual(s.get_min(), 20)
        self.assertEqual(s.peek(), 20)

    def test_decreasing_then_increasing(self):
        s = MinStack()
        for x in [9, 7, 5, 6, 8]:
            s.push(x)
        mins = []
        while not s.is_empty():
            mins.append(s.get_min())
            s.pop()
        self.assertEqual(mins, [5, 5, 5, 7, 9])
