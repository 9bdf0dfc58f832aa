from solution import invert


def test_favourite_colours():
    assert invert({"alice": "red", "bob": "blue", "cara": "red"}) == {
        "red": ["alice", "cara"],
        "blue": ["bob"],
    }


def test_empty():
    assert invert({}) == {}
