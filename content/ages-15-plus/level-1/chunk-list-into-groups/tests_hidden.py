import unittest

from solution import chunk


def test_divides_exactly():
    assert chunk([10, 20, 30, 40], 2) == [[10, 20], [30, 40]]


def test_size_one():
    assert chunk(["x", "y", "z"], 1) == [["x"], ["y"], ["z"]]


def test_size_bigger_than_list():
    assert chunk([8, 9], 5) == [[8, 9]]


class TestMoreChunks(unittest.TestCase):
    def test_strings_with_leftover(self):
        self.assertEqual(
            chunk(["a", "b", "c", "d", "e"], 2),
            [["a", "b"], ["c", "d"], ["e"]],
        )

    def test_size_equals_length(self):
        self.assertEqual(chunk([3, 1, 4, 1, 5], 5), [[3, 1, 4, 1, 5]])

    def test_long_list(self):
        result = chunk(list(range(23)), 4)
        self.assertEqual(len(result), 6)
        self.assertEqual(result[-1], [20, 21, 22])
        self.assertEqual(sum(result, []), list(range(23)))
