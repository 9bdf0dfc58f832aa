import unittest

from solution import first_index


def test_empty_list():
    assert first_index([], 5) == -1


def test_all_the_same():
    assert first_index([2, 2, 2, 2, 2, 2, 2], 2) == 0


def test_ends_of_list():
    nums = [-8, -3, 0, 4, 10, 21]
    assert first_index(nums, -8) == 0
    assert first_index(nums, 21) == 5
    assert first_index(nums, -10) == -1
    assert first_index(nums, 30) == -1


class TestLargeLists(unittest.TestCase):
    def test_big_list_with_run(self):
        nums = list(range(50000)) + [50000] * 3000 + list(range(50001, 97000))
        self.assertEqual(first_index(nums, 50000), 50000)
        self.assertEqual(first_index(nums, 50001), 53000)
        self.assertEqual(first_index(nums, 123456), -1)

    def test_even_numbers(self):
        nums = [2 * i for i in range(1000)]
        self.assertEqual(first_index(nums, 998), 499)
        self.assertEqual(first_index(nums, 999), -1)

    def test_run_at_the_end(self):
        nums = [1, 5] + [6] * 20
        self.assertEqual(first_index(nums, 6), 2)
