"""Progress on stderr: one updating line on a terminal, plain lines otherwise.

On a terminal: ``[#####-----] 12/40  ok 9  failed 3`` rewritten in place (``ok``: the
files that passed, ``failed``: every other verdict, ``errors``: files that could not be
graded). Elsewhere (a log, CI) a plain line at most every ``interval_seconds`` and one at
the end, so logs stay readable.
"""

from __future__ import annotations

import math
import shutil
import sys
import time
from typing import TextIO

BAR_WIDTH = 20


class Progress:
    def __init__(
        self, total: int, stream: TextIO | None = None, *, interval_seconds: float = 5.0
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval_seconds = interval_seconds
        self.ok = 0
        self.failed = 0
        self.errors = 0
        self._last = -math.inf  # the first line is written at once, whatever the clock
        self._drawn = False

    @property
    def done(self) -> int:
        return self.ok + self.failed + self.errors

    def line(self) -> str:
        filled = BAR_WIDTH * self.done // self.total if self.total else BAR_WIDTH
        text = (
            f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"
            f"  ok {self.ok}  failed {self.failed}"
        )
        return text + (f"  errors {self.errors}" if self.errors else "")

    def graded(self, passed: bool) -> None:
        if passed:
            self.ok += 1
        else:
            self.failed += 1
        self.show()

    def error(self) -> None:
        self.errors += 1
        self.show()

    def show(self, force: bool = False) -> None:
        if self.tty:
            width = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r" + self.line()[: width - 1] + "\x1b[K")
            self.stream.flush()
            self._drawn = True
            return
        now = time.monotonic()
        if force or now - self._last >= self.interval_seconds or self.done == self.total:
            self._last = now
            self.stream.write(f"coderunner grade: {self.line()}\n")
            self.stream.flush()

    def message(self, text: str) -> None:
        """A line of its own, above the bar on a terminal."""
        if self.tty and self._drawn:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()
        if self.tty and self._drawn:
            self.show()

    def finish(self) -> None:
        """Leave the bar's last state on its own line."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
