from solution import secret_code


def test_cat():
    result = secret_code("cat")
    assert result == "TAC", f"'cat' backwards in capitals is 'TAC', but got {result!r}"


def test_robot():
    result = secret_code("robot")
    assert result == "TOBOR", f"'robot' backwards in capitals is 'TOBOR', but got {result!r}"
