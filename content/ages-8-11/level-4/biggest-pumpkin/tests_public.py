import unittest

from solution import biggest_pumpkin


def test_middle_is_biggest():
    assert biggest_pumpkin(4, 9, 7) == 9, "9 is bigger than 4 and 7"


class TestFirstPumpkin(unittest.TestCase):
    def test_first_is_biggest(self):
        self.assertEqual(biggest_pumpkin(12, 3, 8), 12, "12 is bigger than 3 and 8")
