import unittest

from solution import subsets


def normalise(result):
    return sorted(list(s) for s in result)


def test_one_item():
    assert normalise(subsets([7])) == [[], [7]]


def test_two_strings():
    assert normalise(subsets(["x", "y"])) == [[], ["x"], ["x", "y"], ["y"]]


def test_order_inside_subsets_kept():
    result = [list(s) for s in subsets([5, 3, 9])]
    assert [5, 3, 9] in result
    assert [5, 9] in result
    assert [3, 9] in result
    assert [9, 5] not in result


class TestPowerSetSize(unittest.TestCase):
    def test_ten_items_count_and_unique(self):
        result = [tuple(s) for s in subsets(list(range(10)))]
        self.assertEqual(len(result), 1024)
        self.assertEqual(len(set(result)), 1024)

    def test_four_items_exact(self):
        expected = []
        items = [4, 1, 8, 2]
        for mask in range(16):
            expected.append([items[i] for i in range(4) if mask >> i & 1])
        self.assertEqual(normalise(subsets(items)), sorted(expected))
