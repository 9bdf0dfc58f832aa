"""Hostile input (issue 12) at the learner's server extension, where it reads things
itself: the learner's notebook or file (for a submission or a practice check) and the
request body. A malformed notebook or text that is not UTF-8 is a 4xx with a JSON
message, never a 500, and nothing is sent to the grading service.

What the extension only forwards (a notebook's cells, the code's text) is the grading
service's to refuse: tests/grading_service/edge/test_hostile_inputs.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

GOOD_ADD = "def add(a, b):\n    return a + b\n"


async def post(jp_fetch, *parts: str, body: bytes) -> tuple[int, dict[str, Any]]:
    response = await jp_fetch(
        "coderunner", "api", *parts, method="POST", body=body, raise_error=False
    )
    return response.code, json.loads(response.body)


def v4(*cells: Any) -> dict[str, Any]:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


MALFORMED_NOTEBOOKS = {
    "not JSON": b"{'cells': [",
    "JSON that is not a notebook": json.dumps({"homework": "add", "answer": 3}).encode(),
    "a list instead of a notebook": json.dumps([GOOD_ADD]).encode(),
    "cells of wrong types": json.dumps(v4(1, GOOD_ADD, None)).encode(),
    "invalid UTF-8": json.dumps(v4()).encode().replace(b'"metadata": {}', b'"t": "caf\xe9"'),
    "empty file": b"",
}
ACTIONS = {
    "submit": ("submissions",),
    "check": ("problems", "sum-two", "check"),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("case", MALFORMED_NOTEBOOKS)
async def test_a_malformed_notebook_is_4xx_and_nothing_reaches_the_grader(
    jp_fetch, jp_root_dir: Path, fake_grader, case: str, action: str
) -> None:
    (jp_root_dir / "mine.ipynb").write_bytes(MALFORMED_NOTEBOOKS[case])
    body = json.dumps({"problem_id": "sum-two", "path": "mine.ipynb"}).encode()
    code, answer = await post(jp_fetch, *ACTIONS[action], body=body)
    assert 400 <= code < 500, (code, answer)
    assert answer["message"]
    assert fake_grader.requests == []


async def test_an_nbformat_3_notebook_is_read_as_version_4(
    jp_fetch, jp_root_dir: Path, fake_grader
) -> None:
    """Jupyter upgrades an old notebook when it reads it; the grader gets version 4."""
    old = nbformat.v3.new_notebook(
        worksheets=[nbformat.v3.new_worksheet(cells=[nbformat.v3.new_code_cell(GOOD_ADD)])]
    )
    (jp_root_dir / "old.ipynb").write_text(nbformat.v3.writes_json(old))
    body = json.dumps({"problem_id": "sum-two", "path": "old.ipynb"}).encode()
    code, answer = await post(jp_fetch, "submissions", body=body)
    assert code == 202, answer
    sent = fake_grader.submissions[0]["notebook"]
    assert sent["nbformat"] == 4 and sent["cells"][0]["source"] == GOOD_ADD


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_python_file_that_is_not_utf8_is_4xx_and_nothing_reaches_the_grader(
    jp_fetch, jp_root_dir: Path, fake_grader, action: str
) -> None:
    (jp_root_dir / "mine.py").write_bytes(b"# caf\xe9\n" + GOOD_ADD.encode())
    body = json.dumps({"problem_id": "sum-two", "path": "mine.py"}).encode()
    code, answer = await post(jp_fetch, *ACTIONS[action], body=body)
    assert 400 <= code < 500, (code, answer)
    assert answer["message"]
    assert fake_grader.requests == []


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_request_body_that_is_not_utf8_is_400(jp_fetch, fake_grader, action: str) -> None:
    body = b'{"problem_id": "sum-two", "code": "caf\xe9 = 1"}'
    code, answer = await post(jp_fetch, *ACTIONS[action], body=body)
    assert code == 400 and "not valid JSON" in answer["message"], answer
    assert fake_grader.requests == []


async def test_deeply_nested_json_is_400(jp_fetch, fake_grader) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    code, answer = await post(jp_fetch, "submissions", body=body)
    assert code == 400, answer
    assert fake_grader.requests == []
