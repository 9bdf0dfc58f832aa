from solution import top_word


def test_example():
    assert top_word("The cat sat on the mat. The end!") == "the"


def test_single_word():
    assert top_word("hello") == "hello"
