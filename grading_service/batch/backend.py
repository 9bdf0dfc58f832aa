"""What the run loop needs from a way of grading, and the two faults it tells apart.

A learner's mistake is never one of these: it is a verdict in the ``Outcome``. What is
left is ours or the machine's:

- ``Unavailable``: this file could not be graded now (Docker failed, the runner died,
  the service is unreachable or gave up with ``internal_error``). Worth a retry; a file
  still failing after ``--attempts`` stops the run (nothing new starts), since the next
  files would most likely fail the same way. Such a file is not recorded, so the next
  run grades it.
- ``Refused``: the run cannot work at all (no Docker, no image, an unknown problem, a
  token the service refuses). The run stops before or as soon as it is met.
"""

from __future__ import annotations

from typing import Protocol

from .results import Outcome


class Unavailable(RuntimeError):
    """Grading this file failed for a reason that is not the learner's; retry later."""


class Refused(RuntimeError):
    """The run cannot go on; the message says what to fix."""


class Backend(Protocol):
    """Grades modules for one problem."""

    mode: str  # "local" | "remote": recorded on each line
    max_score: float  # the problem's points, known after ``start``

    async def start(self) -> None:
        """Check that grading can work (raise ``Refused`` if not) and get ready."""

    async def grade(self, code: str) -> Outcome:
        """Grade one module; raises ``Unavailable`` or ``Refused``."""

    async def close(self) -> None:
        """Release everything this run started (sandboxes, connections)."""
