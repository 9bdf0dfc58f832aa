"""Drawing problems: what learner code drew is read as plain data and checked on the
trusted side (``grading/drawing.py``), through the call server as in a sandbox."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import pytest

from grading_service.grading.drawing import Drawing, DrawingError, Segment, parse
from hub_config.settings import ROOT

from .local_agent import grade_locally

LEARNER_LIB = str(ROOT / "sandbox_kernel_image" / "learnerlib")

SQUARE_TESTS = textwrap.dedent("""
    from grading_service.grading.drawing import drawn

    def test_four_sides_of_100():
        sides = drawn().strokes()
        assert [round(s.length) for s in sides] == [100, 100, 100, 100]

    def test_it_closes_with_right_angles():
        drawing = drawn()
        assert drawing.is_closed()
        assert [abs(t) for t in drawing.turns()] == [90, 90, 90]
""")


def grade_drawing(tmp_path: Path, source: str, tests: str = SQUARE_TESTS) -> dict:
    (tmp_path / "tests_public.py").write_text(tests)
    return grade_locally(
        kind="function",
        source=textwrap.dedent(source),
        tests=[{"path": str(tmp_path / "tests_public.py"), "visibility": "public"}],
        time_limit_seconds=5,
        env={"CODERUNNER_LEARNER_LIB": LEARNER_LIB},
    )


def test_a_turtle_square_is_graded_by_what_was_drawn(tmp_path: Path) -> None:
    source = """
        import turtle
        t = turtle.Turtle()
        for side in range(4):
            t.forward(50)
            t.forward(50)
            t.left(90)
        turtle.done()
    """
    result = grade_drawing(tmp_path, source)
    assert result["verdict"] == "passed", result


def test_a_triangle_is_not_a_square(tmp_path: Path) -> None:
    source = """
        from turtle import *
        for side in range(3):
            forward(100)
            left(120)
    """
    result = grade_drawing(tmp_path, source)
    assert result["verdict"] == "failed"
    sides = next(t for t in result["tests"] if t["name"] == "test_four_sides_of_100")
    assert "expected [100, 100, 100, 100]" in sides["message"]


def test_printing_a_square_draws_nothing(tmp_path: Path) -> None:
    result = grade_drawing(tmp_path, "print('a square of side 100')\n")
    assert result["passed"] == 0


@pytest.mark.parametrize(
    "forged",
    [
        "'everything'",
        "{'turtle': {'segments': [[0, 0, 100, 0, 'red', 1]]}, 'surface': None}",
        "{'turtle': {'segments': [[0, 0, float('nan'), 0, '#000000', 1]]}, 'surface': None}",
        "{'turtle': {'segments': [[0, 0, True, 0, '#000000', 1]]}, 'surface': None}",
        "{'turtle': {'segments': [[0, 0, 100, 0, '#000000', 1]] * 30000}, 'surface': None}",
        "{'turtle': None, 'surface': {'width': 10, 'height': 10, 'rgb': 'AAAA'}}",
    ],
)
def test_a_forged_record_fails_and_earns_nothing(tmp_path: Path, forged: str) -> None:
    source = f"""
        import grading_service.grading.drawing as d
        d.local_record = lambda: {forged}
    """
    result = grade_drawing(tmp_path, source)
    assert result["verdict"] == "failed" and result["passed"] == 0
    assert all(t["status"] == "fail" for t in result["tests"]), result["tests"]


def test_circles_draw_the_standard_polygon(tmp_path: Path) -> None:
    tests = textwrap.dedent("""
        import math
        from grading_service.grading.drawing import drawn

        def test_a_circle_of_radius_50():
            drawing = drawn()
            assert drawing.is_closed()
            assert abs(drawing.total_length() - 2 * math.pi * 50) < 2

        def test_in_red():
            assert drawn().colours() == {"#ff0000"}
    """)
    source = "import turtle\nturtle.pencolor('red')\nturtle.circle(50)\n"
    assert grade_drawing(tmp_path, source, tests)["verdict"] == "passed"


def test_strokes_join_straight_runs_and_keep_turns_apart() -> None:
    drawing = Drawing(
        segments=(
            Segment(0, 0, 50, 0, "#000000", 1),
            Segment(50, 0, 100, 0, "#000000", 1),
            Segment(100, 0, 100, 100, "#000000", 1),
        )
    )
    assert [round(s.length) for s in drawing.strokes()] == [100, 100]
    assert drawing.turns() == [90.0]
    assert not drawing.is_closed()


def test_pixels_are_read_and_counted() -> None:
    red, white = b"\xff\x00\x00", b"\xff\xff\xff"
    rgb = (red * 2 + white * 2) * 2  # a 4×2 picture, red on the left
    drawing = parse(
        {
            "turtle": None,
            "surface": {"width": 4, "height": 2, "rgb": base64.b64encode(rgb).decode()},
        }
    )
    assert drawing.picture is not None
    assert drawing.picture.pixel(0, 0) == (255, 0, 0)
    assert drawing.picture.count("#ff0000") == 4
    assert drawing.picture.centre_of("#ff0000") == (0.5, 0.5)
    with pytest.raises(DrawingError):
        drawing.picture.pixel(4, 0)


def test_a_screen_too_big_to_check_says_its_size() -> None:
    with pytest.raises(DrawingError, match="800×600: too big to check"):
        parse({"turtle": None, "surface": {"width": 800, "height": 600}})
