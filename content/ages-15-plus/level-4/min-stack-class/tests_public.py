from solution import MinStack


def test_example():
    s = MinStack()
    s.push(5)
    s.push(2)
    s.push(8)
    assert s.get_min() == 2
    assert s.pop() == 8
    assert s.pop() == 2
    assert s.get_min() == 5
    assert s.size() == 1


def test_new_stack_is_empty():
    s = MinStack()
    assert s.is_empty() is True
    assert s.size() == 0
