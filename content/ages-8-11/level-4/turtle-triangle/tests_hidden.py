from grading_service.grading.drawing import Drawing, drawn
from solution import triangle


def drawing_of(size):
    """Only what one call of triangle(size) draws (earlier drawings stay on the page)."""
    before = len(drawn().lines())
    triangle(size)
    return Drawing(segments=tuple(drawn().lines()[before:]))


def test_triangle_50():
    lengths = [round(side.length) for side in drawing_of(50).strokes()]
    assert lengths == [50, 50, 50], f"triangle(50) drew sides of {lengths}, not 3 sides of 50."


def test_triangle_120():
    lengths = [round(side.length) for side in drawing_of(120).strokes()]
    assert lengths == [120, 120, 120], (
        f"triangle(120) drew sides of {lengths}, not 3 sides of 120."
    )


def test_triangle_7():
    drawing = drawing_of(7)
    lengths = [round(side.length) for side in drawing.strokes()]
    assert lengths == [7, 7, 7], f"triangle(7) drew sides of {lengths}, not 3 sides of 7."
    assert drawing.is_closed(), "triangle(7) should end where it started."


def test_the_corners_turn_120():
    turns = [round(abs(turn)) for turn in drawing_of(100).turns()]
    assert turns == [120, 120], f"triangle(100) turned {turns} between its sides, not 120."


def test_triangle_100_is_closed():
    assert drawing_of(100).is_closed(), "triangle(100) should end where it started."


def test_nothing_else_is_drawn():
    drawing = drawing_of(60)
    total = round(drawing.total_length())
    assert total == 180, f"triangle(60) drew {total} steps of lines, not 3 x 60 = 180."
    assert len(drawing.strokes()) == 3, "triangle(60) should draw just 3 sides."
