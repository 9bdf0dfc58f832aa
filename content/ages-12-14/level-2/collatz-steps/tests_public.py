from solution import collatz_steps


def test_six():
    assert collatz_steps(6) == 8


def test_already_one():
    assert collatz_steps(1) == 0
