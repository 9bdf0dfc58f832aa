from solution import count_votes


def test_example():
    assert count_votes(["Mia", "Leo", "mia"]) == {"mia": 2, "leo": 1}


def test_one_vote():
    assert count_votes(["sam"]) == {"sam": 1}
