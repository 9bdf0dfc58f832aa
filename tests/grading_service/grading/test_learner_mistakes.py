"""A learner's mistake is a verdict at once, with a message that says what happened;
never a retry. The same table runs against the call server as a local process and
through the real service with real sandboxes."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from ..api import call
from .local_agent import grade_with, statuses

MISTAKE_TESTS = """
    from solution import add, Shape

    def test_add():
        assert add(1, 2) == 3

    def test_shape():
        assert Shape(2).area() == 4

    def test_text():
        assert str(add(0, 0)) == "0"
"""

# Learner code can reach the call server's own protocol stream.
FORGE = "import sys\nout = sys.modules['__main__'].PROTOCOL_OUT\n"

MISTAKES = [
    (
        "misnamed function",
        "def _nothing(): pass\nclass Shape:\n"
        "    def __init__(s, n): s.n = n\n    def area(s): return s.n * s.n\n",
        "failed",
        "Your code does not define `add`",
    ),
    (
        "missing class",
        "def add(a, b): return a + b\n",
        "failed",
        "Your code does not define `Shape`",
    ),
    ("syntax error", "def add(a, b)\n    return a + b\n", "syntax_error", "line 1"),
    ("error at import", "x = 1\nraise ValueError('boom')\n", "crashed", "ValueError on line 2"),
    (
        "StopIteration",
        "def add(a, b): raise StopIteration\nclass Shape: pass\n",
        "failed",
        "StopIteration",
    ),
    (
        "bad __str__",
        "class N:\n    def __str__(self): return 5\ndef add(a, b): return N()\nclass Shape: pass\n",
        "failed",
        "__str__ returned non-string",
    ),
    (
        "forged reply",
        FORGE + "def add(a, b):\n"
        '    out.write(\'{"id": 3, "ok": true, "value": {"__t": "bogus"}}\\n\')\n'
        "    return 3\nclass Shape: pass\n",
        "crashed",
        "grader",
    ),
    (
        "reply to no request",
        FORGE + "def add(a, b):\n"
        '    out.write(\'{"id": 99, "ok": true, "value": 3}\\n\')\n'
        "    return 3\nclass Shape: pass\n",
        "crashed",
        "no request",
    ),
    (
        "flood of short lines",
        FORGE + "def add(a, b):\n    out.write('\\n' * 4000000)\n    return 3\nclass Shape: pass\n",
        "crashed",
        "not JSON",
    ),
    (
        "deeply nested reply",
        FORGE + "def add(a, b):\n    out.write('[' * 200000 + '\\n')\nclass Shape: pass\n",
        "crashed",
        "not JSON",
    ),
    (
        "oversized reply",
        FORGE + "def add(a, b):\n    out.write('x' * 3000000)\nclass Shape: pass\n",
        "output_limit",
        "output",
    ),
]


@pytest.mark.parametrize(
    ("case", "source", "verdict", "words"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_learner_mistakes_are_verdicts(
    tmp_path: Path, case: str, source: str, verdict: str, words: str
) -> None:
    result = grade_with(tmp_path, MISTAKE_TESTS, source)
    assert result["verdict"] == verdict, result
    text = result["message"] + " ".join(t["message"] for t in result["tests"])
    assert words in text, result
    assert result["total"] == 3


def test_a_missing_name_fails_only_the_tests_that_use_it(tmp_path: Path) -> None:
    result = grade_with(tmp_path, MISTAKE_TESTS, "def add(a, b): return a + b\n")
    assert statuses(result) == {"test_add": "pass", "test_shape": "fail", "test_text": "pass"}


@pytest.fixture
async def mistakes_service(make_service, write_problem, tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    write_problem(
        root,
        "add-shape",
        track="mistakes",
        meta={"title": "Add and shape", "points": 30},
        files={
            "statement.md": "Add, and a square shape.",
            "starter.py": "def add(a, b):\n    pass\n",
            "tests_public.py": textwrap.dedent(MISTAKE_TESTS),
        },
    )
    return await make_service(
        content_dir=str(root),
        Admission__rate_per_minute=0,
        Admission__daily_quota=0,
        WorkerPool__concurrency=2,
        SandboxPool__size=2,
    )


async def test_learner_mistakes_are_verdicts_through_the_real_service(
    mistakes_service, verdict_of
) -> None:
    app = mistakes_service
    ids = []
    for _, source, _, _ in MISTAKES:
        status, body, _ = await call(
            app, "POST", "/api/submissions", {"problem_id": "add-shape", "code": source}
        )
        assert status == 202, body
        ids.append(body["id"])
    results = await asyncio.gather(*(verdict_of(app.base, sid, "alice-token") for sid in ids))
    wrong = []
    for (case, _, verdict, words), result in zip(MISTAKES, results, strict=True):
        text = result["message"] + " ".join(t["message"] for t in result["tests"])
        doc = await app.storage.get_submission(result["id"])
        if result["verdict"] != verdict or words not in text or doc["attempts"] != 1:
            wrong.append((case, result["verdict"], doc["attempts"], text))
    assert wrong == [], wrong
