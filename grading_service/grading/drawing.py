"""What learner code drew, as plain values a drawing problem's tests check.

A drawing problem's tests call ``drawn()``. When grading, that asks the sandbox for its
record (the learner turtle's lines, dots and fills, and the pixels of pygame's display
Surface); in a practice check it reads them in the same process. Either way the answer
is parsed here into frozen plain values, strictly: anything malformed is a failed test
("Your drawing could not be read"), never a pass. The checks themselves (lengths,
angles, colours, pixel counts) are computed here, on plain numbers, and never ask a
learner object anything.

    from grading_service.grading.drawing import drawn

    def test_a_square_of_side_100():
        sides = drawn().strokes()
        assert [round(s.length) for s in sides] == [100, 100, 100, 100]

Standard library only: the learner's server runs practice checks with it too.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_SEGMENTS = 20000
# A picture travels as one base64 line from the sandbox; 400 × 400 RGB is 640 KB of it.
MAX_PIXELS = 400 * 400
COLOUR = re.compile(r"^#[0-9a-f]{6}$")

# Set by the trusted runner while it grades: asks the sandbox for its record.
_provider: Callable[[], Any] | None = None


class DrawingError(AssertionError):
    """The drawing could not be read: a failed test, never an error of ours."""


def use(provider: Callable[[], Any] | None) -> None:
    """Where ``drawn()`` gets the raw record (the runner's sandbox session), or None for
    this process (practice checks)."""
    global _provider
    _provider = provider


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float

    @property
    def length(self) -> float:
        return math.hypot(self.x2 - self.x1, self.y2 - self.y1)

    @property
    def direction(self) -> float:
        """Heading in degrees, 0 = east, anticlockwise."""
        return math.degrees(math.atan2(self.y2 - self.y1, self.x2 - self.x1)) % 360


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    size: float
    colour: str


@dataclass(frozen=True)
class Picture:
    """Pixels of a pygame Surface: ``width`` × ``height``, RGB, row by row from the top."""

    width: int
    height: int
    rgb: bytes

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise DrawingError(f"({x}, {y}) is outside the {self.width}×{self.height} picture")
        i = (y * self.width + x) * 3
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]

    def matching(self, colour: str, tolerance: int = 40) -> list[tuple[int, int]]:
        """The pixels within ``tolerance`` (per channel) of ``colour``."""
        want = rgb_of(colour)
        found = []
        data = self.rgb
        for i in range(0, len(data), 3):
            if (
                abs(data[i] - want[0]) <= tolerance
                and abs(data[i + 1] - want[1]) <= tolerance
                and abs(data[i + 2] - want[2]) <= tolerance
            ):
                p = i // 3
                found.append((p % self.width, p // self.width))
        return found

    def count(self, colour: str, tolerance: int = 40) -> int:
        return len(self.matching(colour, tolerance))

    def centre_of(self, colour: str, tolerance: int = 40) -> tuple[float, float] | None:
        """The middle of the pixels of this colour (None when there are none)."""
        points = self.matching(colour, tolerance)
        if not points:
            return None
        return (
            sum(x for x, _ in points) / len(points),
            sum(y for _, y in points) / len(points),
        )


@dataclass(frozen=True)
class Drawing:
    segments: tuple[Segment, ...] = ()
    dots: tuple[Dot, ...] = ()
    fills: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()
    background: str = "#ffffff"
    picture: Picture | None = None

    def lines(self, colour: str | None = None) -> list[Segment]:
        """Every line drawn (of one colour, if given), in drawing order."""
        return [s for s in self.segments if colour is None or s.colour == colour]

    def total_length(self, colour: str | None = None) -> float:
        return sum(s.length for s in self.lines(colour))

    def strokes(self, colour: str | None = None, tolerance: float = 1.0) -> list[Segment]:
        """The straight strokes: lines that carry on in the same direction from where the
        last one ended are joined into one (``forward(50); forward(50)`` is one stroke of
        100); zero-length lines are left out."""
        joined: list[Segment] = []
        for s in self.lines(colour):
            if s.length < 1e-9:
                continue
            if joined:
                last = joined[-1]
                same_place = math.hypot(s.x1 - last.x2, s.y1 - last.y2) <= tolerance
                turn = abs((s.direction - last.direction + 180) % 360 - 180)
                if same_place and turn <= 0.5 and s.colour == last.colour:
                    joined[-1] = Segment(last.x1, last.y1, s.x2, s.y2, s.colour, last.width)
                    continue
            joined.append(s)
        return joined

    def turns(self, colour: str | None = None) -> list[float]:
        """The angle turned between one stroke and the next, in degrees (left positive)."""
        strokes = self.strokes(colour)
        return [
            round((b.direction - a.direction + 180) % 360 - 180, 3)
            for a, b in zip(strokes, strokes[1:], strict=False)
        ]

    def is_closed(self, colour: str | None = None, tolerance: float = 1.0) -> bool:
        """Whether the strokes end where they started."""
        strokes = self.strokes(colour)
        if not strokes:
            return False
        first, last = strokes[0], strokes[-1]
        return math.hypot(last.x2 - first.x1, last.y2 - first.y1) <= tolerance

    def colours(self) -> set[str]:
        return {s.colour for s in self.segments} | {d.colour for d in self.dots}


def rgb_of(colour: str) -> tuple[int, int, int]:
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise ValueError(f"a colour is '#rrggbb', not {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# ----------------------------------------------------------------------------- parsing


def _number(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise DrawingError("Your drawing could not be read (a number was not a number).")
    return float(value)


def _colour(value: Any) -> str:
    if not isinstance(value, str) or not COLOUR.match(value):
        raise DrawingError("Your drawing could not be read (a colour was not '#rrggbb').")
    return value


def _list(value: Any, limit: int = MAX_SEGMENTS) -> list:
    if type(value) is not list or len(value) > limit:
        raise DrawingError("Your drawing could not be read.")
    return value


def parse(raw: Any) -> Drawing:
    """A drawing from the raw record (hostile data when it comes from a sandbox)."""
    if raw is None:
        return Drawing()
    if type(raw) is not dict:
        raise DrawingError("Your drawing could not be read.")
    segments: list[Segment] = []
    dots: list[Dot] = []
    fills: list[tuple[str, tuple[tuple[float, float], ...]]] = []
    background = "#ffffff"
    record = raw.get("turtle")
    if record is not None:
        if type(record) is not dict:
            raise DrawingError("Your drawing could not be read.")
        for item in _list(record.get("segments", [])):
            item = _list(item, 6)
            if len(item) != 6:
                raise DrawingError("Your drawing could not be read.")
            x1, y1, x2, y2 = (_number(v) for v in item[:4])
            segments.append(Segment(x1, y1, x2, y2, _colour(item[4]), _number(item[5])))
        for item in _list(record.get("dots", [])):
            item = _list(item, 4)
            if len(item) != 4:
                raise DrawingError("Your drawing could not be read.")
            dots.append(Dot(_number(item[0]), _number(item[1]), _number(item[2]), _colour(item[3])))
        for item in _list(record.get("fills", []), 1000):
            item = _list(item, 2)
            if len(item) != 2:
                raise DrawingError("Your drawing could not be read.")
            points = []
            for point in _list(item[1]):
                point = _list(point, 2)
                if len(point) != 2:
                    raise DrawingError("Your drawing could not be read.")
                points.append((_number(point[0]), _number(point[1])))
            fills.append((_colour(item[0]), tuple(points)))
        background = _colour(record.get("background", "#ffffff"))
    return Drawing(
        tuple(segments), tuple(dots), tuple(fills), background, _picture(raw.get("surface"))
    )


def _picture(raw: Any) -> Picture | None:
    if raw is None:
        return None
    if type(raw) is not dict:
        raise DrawingError("Your picture could not be read.")
    width, height, data = raw.get("width"), raw.get("height"), raw.get("rgb")
    if type(width) is not int or type(height) is not int:
        raise DrawingError("Your picture could not be read.")
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise DrawingError(
            f"Your screen is {width}×{height}: too big to check. Use the size the problem asks for."
        )
    if not isinstance(data, str):
        raise DrawingError("Your picture could not be read.")
    try:
        pixels = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DrawingError("Your picture could not be read.") from None
    if len(pixels) != width * height * 3:
        raise DrawingError("Your picture could not be read.")
    return Picture(width, height, pixels)


# ----------------------------------------------------------------------------- reading


def local_record() -> dict[str, Any]:
    """The record of this process (a practice check runs learner code here)."""
    out: dict[str, Any] = {"turtle": None, "surface": None}
    turtle = sys.modules.get("turtle")
    record = getattr(turtle, "coderunner_record", None)
    if callable(record):
        out["turtle"] = record()
    pygame: Any = sys.modules.get("pygame")
    display = getattr(pygame, "display", None)
    if display is not None and display.get_init() and display.get_surface() is not None:
        surface = display.get_surface()
        width, height = surface.get_size()
        out["surface"] = {"width": width, "height": height}  # too big: size only
        if width * height <= MAX_PIXELS:
            to_bytes = getattr(pygame.image, "tobytes", None) or pygame.image.tostring
            out["surface"]["rgb"] = base64.b64encode(to_bytes(surface, "RGB")).decode("ascii")
    return out


def drawn() -> Drawing:
    """Everything the learner's code has drawn so far."""
    raw = _provider() if _provider is not None else local_record()
    return parse(raw)
