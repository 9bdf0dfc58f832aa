from solution import permutations


def test_abc():
    assert permutations("abc") == ["abc", "acb", "bac", "bca", "cab", "cba"]


def test_repeated_letter():
    assert permutations("aab") == ["aab", "aba", "baa"]
