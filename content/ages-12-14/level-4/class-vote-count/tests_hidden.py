import unittest

from solution import count_votes


def test_no_votes():
    assert count_votes([]) == {}


def test_all_capitals():
    assert count_votes(["ZOE", "zoe", "Zoe", "ZoE"]) == {"zoe": 4}


class TestCountVotes(unittest.TestCase):
    def test_tie(self):
        self.assertEqual(count_votes(["ali", "ben", "Ben", "ALI"]), {"ali": 2, "ben": 2})

    def test_many_names(self):
        votes = ["Priya", "Tom", "priya", "Kai", "tom", "Priya"]
        self.assertEqual(count_votes(votes), {"priya": 3, "tom": 2, "kai": 1})
