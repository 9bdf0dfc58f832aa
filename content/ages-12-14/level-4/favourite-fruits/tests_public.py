from solution import count_fruits


def test_whole_survey():
    assert count_fruits("fruits.csv") == {
        "apple": 6,
        "banana": 5,
        "mango": 3,
        "strawberry": 4,
        "kiwi": 2,
        "grape": 1,
    }


def test_file_with_one_answer():
    assert count_fruits("fruits_one.csv") == {"pear": 1}
