import unittest

from solution import club_report


def test_duplicates_are_ignored():
    assert club_report(["Zoe", "Zoe", "Max"], ["Max", "Max", "Ivy"]) == {
        "both": ["Max"],
        "only_chess": ["Zoe"],
        "only_drama": ["Ivy"],
        "total": 3,
    }


def test_no_overlap():
    assert club_report(["Raj", "Eli"], ["Uma"]) == {
        "both": [],
        "only_chess": ["Eli", "Raj"],
        "only_drama": ["Uma"],
        "total": 3,
    }


def test_one_club_empty():
    assert club_report([], ["Kim", "Abe", "Kim"]) == {
        "both": [],
        "only_chess": [],
        "only_drama": ["Abe", "Kim"],
        "total": 2,
    }


class TestClubReport(unittest.TestCase):
    def test_same_members(self):
        self.assertEqual(
            club_report(["Lu", "Ola", "Fay"], ["Fay", "Lu", "Ola", "Lu"]),
            {"both": ["Fay", "Lu", "Ola"], "only_chess": [], "only_drama": [], "total": 3},
        )

    def test_case_sensitive(self):
        result = club_report(["ann", "Bo"], ["Ann", "Bo"])
        self.assertEqual(result["both"], ["Bo"])
        self.assertEqual(result["only_chess"], ["ann"])
        self.assertEqual(result["only_drama"], ["Ann"])
        self.assertEqual(result["total"], 3)
