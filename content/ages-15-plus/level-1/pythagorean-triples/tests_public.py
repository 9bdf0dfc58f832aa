from solution import triples


def test_up_to_thirteen():
    assert [tuple(t) for t in triples(13)] == [(3, 4, 5), (5, 12, 13), (6, 8, 10)]


def test_too_small():
    assert triples(4) == []
