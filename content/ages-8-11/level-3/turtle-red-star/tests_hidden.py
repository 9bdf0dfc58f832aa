from grading_service.grading.drawing import drawn


def test_five_lines():
    lines = drawn().strokes()
    assert len(lines) == 5, f"A star has 5 lines. Your turtle drew {len(lines)}."


def test_each_line_is_150_steps():
    lengths = [round(line.length) for line in drawn().strokes()]
    assert lengths == [150] * 5, f"Each line should be 150 steps. Yours are {lengths}."


def test_the_turns_are_144():
    turns = [round(abs(turn)) for turn in drawn().turns()]
    assert turns == [144, 144, 144, 144], f"The turtle turned {turns}. Each turn is 144."


def test_the_star_is_closed():
    assert drawn().is_closed(), "The last line should end where the first line started."


def test_only_red_lines():
    drawing = drawn()
    red = round(drawing.total_length("#ff0000"))
    everything = round(drawing.total_length())
    assert red == 750, f"The red lines add up to {red} steps. The star is 5 x 150 = 750."
    assert everything == 750, f"All your lines add up to {everything} steps, not 750."

