from grading_service.grading.drawing import drawn


def test_four_sides():
    sides = drawn().strokes()
    assert len(sides) == 4, f"A square has 4 sides. Your turtle drew {len(sides)}."


def test_each_side_is_100_steps():
    lengths = [round(side.length) for side in drawn().strokes()]
    assert lengths == [100, 100, 100, 100], (
        f"A square has 4 sides of 100 steps. Your sides are {lengths}."
    )
