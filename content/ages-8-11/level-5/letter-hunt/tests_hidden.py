from solution import count_letter


def test_empty_sentence():
    assert count_letter("", "a") == 0


def test_capital_letter_asked():
    assert count_letter("banana", "A") == 3


def test_all_capitals():
    assert count_letter("MISSISSIPPI", "s") == 4


def test_every_letter_matches():
    assert count_letter("zzz", "z") == 3


def test_mixed_case_sentence():
    assert count_letter("Tom took Tea to town", "t") == 5
