"""A learner's turtle that draws in the notebook: the standard ``turtle`` API without a
window.

The image puts this folder before the standard library (``PYTHONPATH``), so
``import turtle`` gives this module in the learner's kernel, in programs run from the
editor and in grading sandboxes, where ``tkinter`` (and a display) do not exist.

Every line the pen draws is recorded as plain data (``coderunner_record()``): start and
end points, pen colour and width, dots and filled shapes. In a notebook the drawing is
shown as an SVG picture after each cell that drew something. When grading, the trusted
side asks the sandbox for the record and checks it there ("a square of side 100").

Angles are in degrees, 0 points east and positive turns are anticlockwise, as in the
standard library's default "standard" mode; ``circle`` draws the same polygons.
"""

from __future__ import annotations

import math
import sys

MAX_SEGMENTS = 20000
CANVAS = 400  # the default picture is 400 × 400, centred on (0, 0)

NAMED_COLOURS = {
    "black": "#000000",
    "white": "#ffffff",
    "red": "#ff0000",
    "green": "#008000",
    "lime": "#00ff00",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "orange": "#ffa500",
    "purple": "#800080",
    "pink": "#ffc0cb",
    "brown": "#a52a2a",
    "gray": "#808080",
    "grey": "#808080",
    "cyan": "#00ffff",
    "magenta": "#ff00ff",
    "violet": "#ee82ee",
    "indigo": "#4b0082",
    "gold": "#ffd700",
    "silver": "#c0c0c0",
    "navy": "#000080",
    "teal": "#008080",
    "maroon": "#800000",
    "olive": "#808000",
    "turquoise": "#40e0d0",
    "skyblue": "#87ceeb",
    "lightblue": "#add8e6",
    "darkblue": "#00008b",
    "lightgreen": "#90ee90",
    "darkgreen": "#006400",
    "forestgreen": "#228b22",
    "darkred": "#8b0000",
    "salmon": "#fa8072",
    "coral": "#ff7f50",
    "tomato": "#ff6347",
    "chocolate": "#d2691e",
    "tan": "#d2b48c",
    "beige": "#f5f5dc",
    "khaki": "#f0e68c",
    "lavender": "#e6e6fa",
    "hotpink": "#ff69b4",
    "crimson": "#dc143c",
}


class Terminator(Exception):
    """Raised by the standard turtle when its window is closed; kept for old code."""


class TurtleGraphicsError(Exception):
    pass


def _hex(value: str) -> str | None:
    value = value.strip().lower()
    if value in NAMED_COLOURS:
        return NAMED_COLOURS[value]
    if value.startswith("#") and len(value) in (4, 7):
        digits = value[1:]
        if all(c in "0123456789abcdef" for c in digits):
            if len(digits) == 3:
                digits = "".join(c * 2 for c in digits)
            return "#" + digits
    return None


def colour(args: tuple, mode: float) -> str:
    """A colour given as a name, ``#rgb``/``#rrggbb`` or (r, g, b), as ``#rrggbb``."""
    if len(args) == 1 and isinstance(args[0], str):
        found = _hex(args[0])
        if found is None:
            raise TurtleGraphicsError(f"bad color string: {args[0]}")
        return found
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = tuple(args[0])
    if len(args) == 3 and all(isinstance(a, int | float) for a in args):
        if any(a < 0 or a > mode for a in args):
            raise TurtleGraphicsError(f"bad color sequence: {args}")
        return "#" + "".join(f"{round(a * 255 / mode):02x}" for a in args)
    raise TurtleGraphicsError(f"bad color arguments: {args}")


class _Screen:
    """The one screen every turtle draws on."""

    def __init__(self) -> None:
        self.turtles: list[Turtle] = []
        self.segments: list[list] = []  # [x1, y1, x2, y2, colour, width]
        self.dots: list[list] = []  # [x, y, size, colour]
        self.fills: list[list] = []  # [colour, [[x, y], ...]]
        self.texts: list[list] = []  # [x, y, text, colour]
        self.background = "#ffffff"
        self.mode = 1.0
        self.width = CANVAS
        self.height = CANVAS
        self.changes = 0
        self.shown = 0

    # ------------------------------------------------------------ recording
    def add_segment(self, start: tuple, end: tuple, pen: str, width: float) -> None:
        if len(self.segments) >= MAX_SEGMENTS:
            raise TurtleGraphicsError(f"your drawing has more than {MAX_SEGMENTS} lines")
        self.segments.append([start[0], start[1], end[0], end[1], pen, width])
        self.changes += 1

    def record(self) -> dict:
        """What was drawn, as plain data."""

        def r(v: float) -> float:
            return round(float(v), 3)

        return {
            "segments": [
                [r(a), r(b), r(c), r(d), col, r(w)] for a, b, c, d, col, w in self.segments
            ],
            "dots": [[r(x), r(y), r(s), col] for x, y, s, col in self.dots],
            "fills": [[col, [[r(x), r(y)] for x, y in pts]] for col, pts in self.fills],
            "texts": [[r(x), r(y), str(t)[:200], col] for x, y, t, col in self.texts],
            "background": self.background,
            "turtles": [
                {"x": r(t._x), "y": r(t._y), "heading": r(t._heading % 360)} for t in self.turtles
            ],
        }

    def clear_drawing(self) -> None:
        self.segments.clear()
        self.dots.clear()
        self.fills.clear()
        self.texts.clear()
        self.changes += 1

    # ------------------------------------------------------------ the standard API
    def bgcolor(self, *args):
        if not args:
            return self.background
        self.background = colour(args, self.mode)
        self.changes += 1

    def colormode(self, mode=None):
        if mode is None:
            return self.mode if self.mode == 255 else 1.0
        if mode not in (1, 1.0, 255):
            raise TurtleGraphicsError("colormode must be 1.0 or 255")
        self.mode = float(mode)

    def setup(self, width=CANVAS, height=CANVAS, startx=None, starty=None):
        if isinstance(width, int | float) and width > 10:
            self.width = min(int(width), 2000)
        if isinstance(height, int | float) and height > 10:
            self.height = min(int(height), 2000)

    def screensize(self, canvwidth=None, canvheight=None, bg=None):
        if canvwidth is None and canvheight is None and bg is None:
            return self.width, self.height
        self.setup(canvwidth or self.width, canvheight or self.height)
        if bg is not None:
            self.bgcolor(bg)

    def window_width(self):
        return self.width

    def window_height(self):
        return self.height

    def turtles_list(self):
        return list(self.turtles)

    def clear(self):
        self.clear_drawing()
        for t in self.turtles:
            t._reset_state()

    clearscreen = resetscreen = reset = clear

    def update(self):
        return None

    def title(self, text=None):
        return None

    def tracer(self, n=None, delay=None):
        return 1 if n is None else None

    def delay(self, value=None):
        return 0 if value is None else None

    def listen(self, xdummy=None, ydummy=None):
        return None

    def _no_events(self, *args, **kwargs):
        return None

    onkey = onkeypress = onkeyrelease = onclick = onscreenclick = onrelease = _no_events
    ondrag = ontimer = _no_events

    def mainloop(self):
        show()

    done = exitonclick = mainloop

    def bye(self):
        return None

    def getcanvas(self):
        raise TurtleGraphicsError("there is no window here: the drawing is shown in the notebook")

    def numinput(self, title, prompt, default=None, minval=None, maxval=None):
        return float(input(prompt))

    def textinput(self, title, prompt):
        return input(prompt)


_screen = _Screen()


def Screen() -> _Screen:  # noqa: N802 - the standard library's name
    return _screen


class Turtle:
    """A turtle: ``forward``, ``left``, ``circle``, ``pencolor``, ``begin_fill`` and the
    rest of the standard turtle's drawing methods."""

    def __init__(self, shape: str = "classic", undobuffersize: int = 0, visible: bool = True):
        self._visible = visible
        self._shape = shape
        self._reset_state()
        _screen.turtles.append(self)

    def _reset_state(self) -> None:
        self._x = 0.0
        self._y = 0.0
        self._heading = 0.0
        self._down = True
        self._pen = "#000000"
        self._fill = "#000000"
        self._width = 1.0
        self._filling: list[tuple[float, float]] | None = None

    # ------------------------------------------------------------ moving
    def _move_to(self, x: float, y: float) -> None:
        x, y = float(x), float(y)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise TurtleGraphicsError("the turtle cannot go to infinity")
        if self._down:
            _screen.add_segment((self._x, self._y), (x, y), self._pen, self._width)
        self._x, self._y = x, y
        if self._filling is not None:
            self._filling.append((x, y))
        _screen.changes += 1

    def forward(self, distance):
        rad = math.radians(self._heading)
        self._move_to(self._x + distance * math.cos(rad), self._y + distance * math.sin(rad))

    def back(self, distance):
        self.forward(-distance)

    def right(self, angle):
        self._heading = (self._heading - angle) % 360

    def left(self, angle):
        self._heading = (self._heading + angle) % 360

    def goto(self, x, y=None):
        if y is None:
            x, y = x
        self._move_to(x, y)

    def setx(self, x):
        self._move_to(x, self._y)

    def sety(self, y):
        self._move_to(self._x, y)

    def setheading(self, to_angle):
        self._heading = float(to_angle) % 360

    def home(self):
        self._move_to(0, 0)
        self._heading = 0.0

    def circle(self, radius, extent=None, steps=None):
        """The standard library's circle: a polygon, its centre ``radius`` to the left."""
        if extent is None:
            extent = 360
        frac = abs(extent) / 360
        if steps is None:
            steps = 1 + int(min(11 + abs(radius) / 6.0, 59.0) * frac)
        w = 1.0 * extent / steps
        w2 = 0.5 * w
        length = 2.0 * radius * math.sin(math.radians(w2))
        if radius < 0:
            length, w, w2 = -length, -w, -w2
        self.left(w2)
        for _ in range(steps):
            self.forward(length)
            self.left(w)
        self.left(-w2)

    def dot(self, size=None, *color):
        size = float(size) if size is not None else max(self._width + 4, self._width * 2)
        shade = colour(color, _screen.mode) if color else self._pen
        _screen.dots.append([self._x, self._y, size, shade])
        _screen.changes += 1

    def stamp(self):
        return 0

    def write(self, arg, move=False, align="left", font=("Arial", 8, "normal")):
        _screen.texts.append([self._x, self._y, str(arg), self._pen])
        _screen.changes += 1

    # ------------------------------------------------------------ the pen
    def penup(self):
        self._down = False

    def pendown(self):
        self._down = True

    def isdown(self):
        return self._down

    def pensize(self, width=None):
        if width is None:
            return self._width
        self._width = float(width)

    def pencolor(self, *args):
        if not args:
            return self._pen
        self._pen = colour(args, _screen.mode)

    def fillcolor(self, *args):
        if not args:
            return self._fill
        self._fill = colour(args, _screen.mode)

    def color(self, *args):
        if not args:
            return self._pen, self._fill
        if len(args) == 2 and not all(isinstance(a, int | float) for a in args):
            self.pencolor(args[0])
            self.fillcolor(args[1])
        else:
            self.pencolor(*args)
            self.fillcolor(*args)

    def begin_fill(self):
        self._filling = [(self._x, self._y)]

    def end_fill(self):
        if self._filling is not None and len(self._filling) > 2:
            _screen.fills.append([self._fill, list(self._filling)])
            _screen.changes += 1
        self._filling = None

    def filling(self):
        return self._filling is not None

    # ------------------------------------------------------------ asking
    def position(self):
        return (round(self._x, 10), round(self._y, 10))

    def xcor(self):
        return self._x

    def ycor(self):
        return self._y

    def heading(self):
        return self._heading

    def distance(self, x, y=None):
        if y is None:
            x, y = x.position() if isinstance(x, Turtle) else x
        return math.hypot(x - self._x, y - self._y)

    def towards(self, x, y=None):
        if y is None:
            x, y = x.position() if isinstance(x, Turtle) else x
        return math.degrees(math.atan2(y - self._y, x - self._x)) % 360

    # ------------------------------------------------------------ looks
    def speed(self, speed=None):
        return 0 if speed is None else None

    def shape(self, name=None):
        if name is None:
            return self._shape
        self._shape = str(name)

    def hideturtle(self):
        self._visible = False

    def showturtle(self):
        self._visible = True

    def isvisible(self):
        return self._visible

    def clear(self):
        _screen.clear_drawing()

    def reset(self):
        _screen.clear_drawing()
        self._reset_state()

    def getscreen(self):
        return _screen

    def shapesize(self, *args, **kwargs):
        return None

    turtlesize = shapesize

    fd = forward
    bk = backward = back
    rt = right
    lt = left
    setpos = setposition = goto
    seth = setheading
    pos = position
    pu = up = penup
    pd = down = pendown
    width = pensize
    ht = hideturtle
    st = showturtle


RawTurtle = RawPen = Pen = Turtle

_default: Turtle | None = None


def getturtle() -> Turtle:
    global _default
    if _default is None:
        _default = Turtle()
    return _default


getpen = getturtle

_TURTLE_FUNCTIONS = [
    "forward", "fd", "back", "bk", "backward", "right", "rt", "left", "lt", "goto",
    "setpos", "setposition", "setx", "sety", "setheading", "seth", "home", "circle",
    "dot", "stamp", "write", "penup", "pu", "up", "pendown", "pd", "down", "isdown",
    "pensize", "width", "pencolor", "fillcolor", "color", "begin_fill", "end_fill",
    "filling", "position", "pos", "xcor", "ycor", "heading", "distance", "towards",
    "speed", "shape", "hideturtle", "ht", "showturtle", "st", "isvisible", "shapesize",
    "turtlesize",
]  # fmt: skip
_SCREEN_FUNCTIONS = [
    "bgcolor", "colormode", "setup", "screensize", "window_width", "window_height",
    "tracer", "update", "title", "delay", "listen", "onkey", "onkeypress",
    "onkeyrelease", "onclick", "onscreenclick", "ontimer", "numinput", "textinput",
    "clearscreen", "resetscreen", "bye",
]  # fmt: skip


def _turtle_function(name: str):
    def call(*args, **kwargs):
        return getattr(getturtle(), name)(*args, **kwargs)

    call.__name__ = name
    return call


def _screen_function(name: str):
    def call(*args, **kwargs):
        return getattr(_screen, name)(*args, **kwargs)

    call.__name__ = name
    return call


for _name in _TURTLE_FUNCTIONS:
    globals()[_name] = _turtle_function(_name)
for _name in _SCREEN_FUNCTIONS:
    globals()[_name] = _screen_function(_name)


def clear():
    getturtle().clear()


def reset():
    _screen.clear()


def turtles():
    return _screen.turtles_list()


# ---------------------------------------------------------------- showing the drawing


def _bounds() -> tuple[float, float, float, float]:
    half_w, half_h = _screen.width / 2, _screen.height / 2
    xs = [-half_w, half_w]
    ys = [-half_h, half_h]
    for x1, y1, x2, y2, _, _ in _screen.segments:
        xs += [x1, x2]
        ys += [y1, y2]
    for x, y, size, _ in _screen.dots:
        xs += [x - size, x + size]
        ys += [y - size, y + size]
    margin = 10
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin


def svg() -> str:
    """The drawing as an SVG picture (y grows upwards, as for the turtle)."""
    left, bottom, right, top = _bounds()
    width, height = right - left, top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{min(width, 600):.0f}" '
        f'height="{min(width, 600) * height / width:.0f}" '
        f'viewBox="{left:.1f} {-top:.1f} {width:.1f} {height:.1f}" role="img" '
        f'aria-label="Turtle drawing with {len(_screen.segments)} lines">',
        f'<rect x="{left:.1f}" y="{-top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{_screen.background}" stroke="#cccccc"/>',
    ]
    for fill, points in _screen.fills:
        coords = " ".join(f"{x:.1f},{-y:.1f}" for x, y in points)
        parts.append(f'<polygon points="{coords}" fill="{fill}" stroke="none"/>')
    for x1, y1, x2, y2, pen, w in _screen.segments:
        parts.append(
            f'<line x1="{x1:.1f}" y1="{-y1:.1f}" x2="{x2:.1f}" y2="{-y2:.1f}" '
            f'stroke="{pen}" stroke-width="{w:g}" stroke-linecap="round"/>'
        )
    for x, y, size, shade in _screen.dots:
        parts.append(f'<circle cx="{x:.1f}" cy="{-y:.1f}" r="{size / 2:g}" fill="{shade}"/>')
    for x, y, text, shade in _screen.texts:
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts.append(f'<text x="{x:.1f}" y="{-y:.1f}" fill="{shade}" font-size="12">{safe}</text>')
    for t in _screen.turtles:
        if t._visible:
            parts.append(_arrow(t))
    parts.append("</svg>")
    return "".join(parts)


def _arrow(t: Turtle) -> str:
    rad = math.radians(t._heading)
    tip = (t._x + 9 * math.cos(rad), t._y + 9 * math.sin(rad))
    left = (t._x + 6 * math.cos(rad + 2.5), t._y + 6 * math.sin(rad + 2.5))
    right = (t._x + 6 * math.cos(rad - 2.5), t._y + 6 * math.sin(rad - 2.5))
    coords = " ".join(f"{x:.1f},{-y:.1f}" for x, y in (tip, left, right))
    return f'<polygon points="{coords}" fill="{t._pen}" stroke="#333333" stroke-width="0.5"/>'


def show() -> None:
    """Show the drawing now (in a notebook; elsewhere there is nothing to show)."""
    ipython = sys.modules.get("IPython")
    if ipython is None or _screen.changes == _screen.shown:
        return
    try:
        from IPython.display import display

        display({"image/svg+xml": svg()}, raw=True)
    finally:
        _screen.shown = _screen.changes


def done() -> None:
    show()


mainloop = exitonclick = done


def bye() -> None:
    return None


__all__ = [
    *_TURTLE_FUNCTIONS,
    *_SCREEN_FUNCTIONS,
    "Turtle", "RawTurtle", "Pen", "Screen", "Terminator", "getturtle", "getpen", "clear",
    "reset", "turtles", "done", "mainloop", "exitonclick", "show",
]  # fmt: skip


def coderunner_record() -> dict:
    """Everything drawn so far as plain data (what a drawing problem's tests check)."""
    return _screen.record()


def _show_after_each_cell() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register("post_execute", show)


_show_after_each_cell()
