from solution import group_by_letter


def test_example():
    assert group_by_letter(["cat", "dog", "cow", "Duck"]) == {
        "c": ["cat", "cow"],
        "d": ["dog", "Duck"],
    }


def test_empty():
    assert group_by_letter([]) == {}
