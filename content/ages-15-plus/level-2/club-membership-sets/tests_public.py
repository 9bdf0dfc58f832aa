from solution import club_report


def test_example():
    assert club_report(["Ann", "Ben", "Cy"], ["Cy", "Dot", "Ann"]) == {
        "both": ["Ann", "Cy"],
        "only_chess": ["Ben"],
        "only_drama": ["Dot"],
        "total": 4,
    }


def test_both_empty():
    assert club_report([], []) == {"both": [], "only_chess": [], "only_drama": [], "total": 0}
