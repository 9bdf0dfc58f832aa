"""The grading API in-process, against a real Redis server, a real MongoDB-protocol server
and real Docker sandboxes. The hub's answer about tokens is faked here; the full path
through JupyterHub is tested in tests/integration."""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from hub_config.settings import ROOT

GOOD_ADD = "def add(a, b):\n    return a + b\n"
WRONG_ADD = "def add(a, b):\n    return a * b\n"


@pytest.fixture
async def service(make_service):
    return await make_service()


async def call(
    app,
    method: str,
    path: str,
    body=None,
    token: str | None = "alice-token",
    raw: bytes | None = None,
):
    headers = {"Authorization": f"token {token}"} if token else {}
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    try:
        resp = await AsyncHTTPClient().fetch(
            f"{app.base}{path}", method=method, headers=headers, body=data
        )
    except HTTPClientError as exc:
        resp = exc.response
    return resp.code, json.loads(resp.body) if resp.body else None, resp.headers


async def wait_graded(app, submission_id: str, token: str = "alice-token") -> dict:
    for _ in range(300):
        code, body, _ = await call(app, "GET", f"/api/submissions/{submission_id}", token=token)
        assert code == 200, body
        if body["status"] in ("graded", "failed"):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"submission {submission_id} was not graded: {body}")


async def test_problem_list_shows_public_fields_only(service) -> None:
    code, body, _ = await call(service, "GET", "/api/problems")
    assert code == 200
    ids = [p["id"] for p in body["problems"]]
    assert {"add-two", "count-vowels", "fizzbuzz-program"} <= set(ids)
    for p in body["problems"]:
        assert {"id", "title", "track", "level", "points"} <= set(p)
    code, detail, _ = await call(service, "GET", "/api/problems/add-two")
    assert code == 200 and "def add" in detail["starter"]
    hidden = (ROOT / "content/ages-12-14/level-1/add-two/tests_hidden.py").read_text()
    assert "10**12" in hidden and "10**12" not in json.dumps(detail)


async def test_api_is_served_under_the_hub_prefix_too(service) -> None:
    code, body, _ = await call(service, "GET", "/services/grader/api/problems")
    assert code == 200 and body["problems"]


async def test_correct_and_wrong_submissions_are_graded_and_counted(service) -> None:
    code, body, headers = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": WRONG_ADD}
    )
    assert code == 202 and body["status"] == "queued"
    wrong = await wait_graded(service, body["id"])
    assert wrong["verdict"] == "failed" and wrong["score"] < wrong["max_score"]
    hidden = [t for t in wrong["tests"] if t["visibility"] == "hidden"]
    assert hidden and all(t["message"] == "" for t in hidden)

    code, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    right = await wait_graded(service, body["id"])
    assert right["verdict"] == "passed" and right["score"] == right["max_score"] == 10

    code, progress, _ = await call(service, "GET", "/api/progress")
    entry = next(p for p in progress["problems"] if p["problem_id"] == "add-two")
    assert entry["attempts"] == 2 and entry["solved"] and entry["best_score"] == 10


async def test_notebook_submission_skips_tagged_cells(service) -> None:
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Add"},
            {
                "cell_type": "code",
                "id": "b",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": GOOD_ADD,
            },
            {
                "cell_type": "code",
                "id": "c",
                "metadata": {"tags": ["skip-grading"]},
                "execution_count": None,
                "outputs": [],
                "source": "%timeit add(1, 2)",
            },
        ],
    }
    code, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "notebook": notebook}
    )
    assert code == 202, body
    assert (await wait_graded(service, body["id"]))["verdict"] == "passed"


@pytest.mark.parametrize(
    ("body", "raw", "status", "fragment"),
    [
        (None, b"{not json", 400, "not valid JSON"),
        ({"code": GOOD_ADD}, None, 400, "problem_id"),
        ({"problem_id": "no-such-problem", "code": GOOD_ADD}, None, 404, "No problem"),
        ({"problem_id": "add-two"}, None, 400, "either 'code'"),
        ({"problem_id": "add-two", "code": "x = 1\n" * 20000}, None, 413, "larger than"),
        ({"problem_id": "add-two", "notebook": {"cells": "nope"}}, None, 400, "nbformat"),
        (
            {
                "problem_id": "add-two",
                "notebook": {
                    "nbformat": 4,
                    "nbformat_minor": 5,
                    "metadata": {},
                    "cells": [
                        {
                            "cell_type": "code",
                            "id": "x",
                            "metadata": {},
                            "execution_count": None,
                            "outputs": [],
                            "source": "!pip install numpy",
                        }
                    ],
                },
            },
            None,
            400,
            "IPython",
        ),
    ],
)
async def test_bad_submissions_get_clear_errors(service, body, raw, status, fragment) -> None:
    code, answer, _ = await call(service, "POST", "/api/submissions", body, raw=raw)
    assert code == status, answer
    assert fragment in answer["message"]


async def test_missing_or_bad_token_is_401(service) -> None:
    assert (await call(service, "GET", "/api/problems", token=None))[0] == 401
    assert (await call(service, "GET", "/api/progress", token="stolen"))[0] == 401


async def test_foreign_submission_is_404(service) -> None:
    _, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    code, answer, _ = await call(
        service, "GET", f"/api/submissions/{body['id']}", token="bob-token"
    )
    assert code == 404
    await wait_graded(service, body["id"])


async def test_duplicate_delivery_stores_one_verdict_and_counts_once(service) -> None:
    _, body, _ = await call(
        service,
        "POST",
        "/api/submissions",
        {"problem_id": "count-vowels", "code": "def count_vowels(t):\n    return 0\n"},
        token="bob-token",
    )
    await service.queue.enqueue(body["id"])  # the same job delivered a second time
    await wait_graded(service, body["id"], token="bob-token")
    await asyncio.sleep(1.0)
    progress = await service.storage.progress_for("bob")
    entry = next(p for p in progress if p["problem_id"] == "count-vowels")
    assert entry["attempts"] == 1


async def test_job_of_a_dead_worker_is_claimed_and_graded_once(service) -> None:
    sid = "deadbeef" + secrets.token_hex(12)
    await service.storage.insert_submission(
        {
            "_id": sid,
            "user": "alice",
            "problem_id": "add-two",
            "code": GOOD_ADD,
            "code_hash": "x",
            "source_kind": "code",
        }
    )
    await service.queue.enqueue(sid)
    # The job is taken by a consumer that then dies without acknowledging it. The live
    # workers may read it first; either way it must end graded exactly once.
    await service.queue.read("dead-worker", block_ms=10)
    result = await wait_graded(service, sid)
    assert result["verdict"] == "passed"
    stored = await service.storage.get_submission(sid)
    assert stored["attempts"] >= 1
    await asyncio.sleep(0.5)
    assert await service.queue.depth() == 0


async def test_health_ready_and_metrics(service) -> None:
    assert (await call(service, "GET", "/health", token=None))[0] == 200
    code, ready, _ = await call(service, "GET", "/health/ready", token=None)
    assert code == 200 and ready["checks"] == {"redis": "ok", "mongodb": "ok", "docker": "ok"}
    resp = await AsyncHTTPClient().fetch(f"{service.base}/metrics")
    assert b"coderunner_submissions_total" in resp.body


async def test_levels_unlock_when_enough_of_the_previous_level_is_solved(service) -> None:
    def level_open(progress: dict, level: int) -> bool:
        return next(
            lv["unlocked"]
            for lv in progress["levels"]
            if lv["track"] == "ages-12-14" and lv["level"] == level
        )

    _, progress, _ = await call(service, "GET", "/api/progress", token="carol-token")
    assert level_open(progress, 1) and not level_open(progress, 2)
    answers = {
        "add-two": GOOD_ADD,
        "count-vowels": "def count_vowels(text):\n    if not isinstance(text, str):\n"
        "        raise TypeError('text')\n"
        "    return sum(c in 'aeiou' for c in text.lower())\n",
    }
    for problem_id, code in answers.items():
        _, body, _ = await call(
            service,
            "POST",
            "/api/submissions",
            {"problem_id": problem_id, "code": code},
            token="carol-token",
        )
        assert (await wait_graded(service, body["id"], token="carol-token"))["verdict"] == "passed"
    _, progress, _ = await call(service, "GET", "/api/progress", token="carol-token")
    assert level_open(progress, 2)
    _, tracks, _ = await call(service, "GET", "/api/tracks")
    titles = {t["id"]: t["title"] for t in tracks["tracks"]}
    assert titles["ages-12-14"].startswith("Building blocks")


async def test_statement_images_are_served_and_nothing_else(service) -> None:
    resp = await AsyncHTTPClient().fetch(
        f"{service.base}/api/problems/robot-greeting/assets/robo.png",
        headers={"Authorization": "token alice-token"},
    )
    assert resp.code == 200 and resp.headers["Content-Type"] == "image/png"
    assert resp.body.startswith(b"\x89PNG")
    for name in (
        "..%2Fproblem.json",
        "solution.py",
        "robo.svg",
        "missing.png",
        "..%2F..%2Flevel-1%2Frobot-greeting%2Fsolution.py",
    ):
        code, body, _ = await call(service, "GET", f"/api/problems/robot-greeting/assets/{name}")
        assert code == 404, (name, body)
    assert (await call(service, "GET", "/api/problems/robot-greeting/assets/robo.png", token=None))[
        0
    ] == 401


async def test_long_poll_answers_when_the_verdict_is_stored(service) -> None:
    _, body, _ = await call(
        service,
        "POST",
        "/api/submissions",
        {"problem_id": "add-two", "code": GOOD_ADD + "# long poll\n"},
        token="dave-token",
    )
    code, doc, _ = await call(
        service, "GET", f"/api/submissions/{body['id']}?wait=20", token="dave-token"
    )
    assert code == 200 and doc["status"] == "graded"  # one request, no polling loop
    code, doc, _ = await call(
        service, "GET", f"/api/submissions/{body['id']}?wait=x", token="dave-token"
    )
    assert code == 400
    code, _, _ = await call(
        service, "GET", f"/api/submissions/{body['id']}?wait=5", token="erin-token"
    )
    assert code == 404
