from grading_service.grading.drawing import drawn


def test_five_lines_of_150():
    lengths = [round(line.length) for line in drawn().strokes()]
    assert lengths == [150, 150, 150, 150, 150], (
        f"A star has 5 lines of 150 steps. Your lines are {lengths}."
    )


def test_the_pen_is_red():
    colours = sorted(drawn().colours())
    assert colours == ["#ff0000"], (
        f"All the lines should be red (#ff0000), but the colours are {colours}. "
        'Call turtle.pencolor("red") before the first line.'
    )
