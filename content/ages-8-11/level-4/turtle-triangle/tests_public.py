from grading_service.grading.drawing import Drawing, drawn
from solution import triangle


def drawing_of(size):
    """Only what one call of triangle(size) draws (earlier drawings stay on the page)."""
    before = len(drawn().lines())
    triangle(size)
    return Drawing(segments=tuple(drawn().lines()[before:]))


def test_triangle_80_has_3_sides_of_80():
    lengths = [round(side.length) for side in drawing_of(80).strokes()]
    assert lengths == [80, 80, 80], (
        f"triangle(80) should draw 3 sides of 80 steps. It drew sides of {lengths}."
    )


def test_triangle_80_is_closed():
    assert drawing_of(80).is_closed(), (
        "triangle(80) should end where it started. Turn 120 at each corner."
    )
