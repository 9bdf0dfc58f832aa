"""Progress on stderr: a bar rewritten in place on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from grading_service.batch.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    stream = Terminal()
    progress = Progress(4, stream)
    progress.graded(True)
    progress.graded(False)
    progress.error()
    progress.finish()
    assert stream.getvalue().split("\r")[1:] == [
        "[#####---------------] 1/4  ok 1  failed 0\x1b[K",
        "[##########----------] 2/4  ok 1  failed 1\x1b[K",
        "[###############-----] 3/4  ok 1  failed 1  errors 1\x1b[K\n",
    ]


def test_a_log_gets_a_plain_line_now_and_then_and_one_at_the_end() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream, interval_seconds=3600)
    progress.graded(True)  # the first line is written at once
    progress.graded(True)  # within the interval: not written
    progress.graded(False)  # the last one
    assert stream.getvalue().splitlines() == [
        "coderunner grade: [######--------------] 1/3  ok 1  failed 0",
        "coderunner grade: [####################] 3/3  ok 2  failed 1",
    ]


def test_a_message_goes_above_the_bar() -> None:
    stream = Terminal()
    progress = Progress(2, stream)
    progress.graded(True)
    progress.message("retrying alice.py")
    assert stream.getvalue().endswith(
        "\r\x1b[Kretrying alice.py\n\r[##########----------] 1/2  ok 1  failed 0\x1b[K"
    )
