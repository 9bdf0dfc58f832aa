from grading_service.grading.drawing import drawn


def test_four_sides_of_100():
    lengths = [round(side.length) for side in drawn().strokes()]
    assert lengths == [100, 100, 100, 100], (
        f"The sides are {lengths} steps long. A square has 4 sides of 100."
    )


def test_the_corners_are_square_corners():
    turns = [round(abs(turn)) for turn in drawn().turns()]
    assert turns == [90, 90, 90], f"The turtle turned {turns}. Each corner is a turn of 90."


def test_it_ends_where_it_started():
    assert drawn().is_closed(), "The last side should end where the first side started."


def test_nothing_else_was_drawn():
    drawing = drawn()
    total = round(drawing.total_length())
    assert total == 400, f"The lines add up to {total} steps. A square of 100 is 400 steps."
    assert len(drawing.dots) == 0, "Only draw the square, no dots."


def test_the_far_corner_is_across_the_middle():
    sides = drawn().strokes()
    assert len(sides) == 4, f"A square has 4 sides. Your turtle drew {len(sides)}."
    start, far = sides[0], sides[1]
    across = round(((far.x2 - start.x1) ** 2 + (far.y2 - start.y1) ** 2) ** 0.5)
    assert across == 141, f"From corner to far corner is {across} steps. In a square it is 141."
