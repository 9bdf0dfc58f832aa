"""The HTTP API (edge/handlers.py) in-process, against a real Redis server, a real
MongoDB-protocol server and real Docker sandboxes. The hub's answer about tokens comes
from memory here; the full path through JupyterHub is tested in tests/integration."""

from __future__ import annotations

import asyncio
import json

import pytest
from tornado.httpclient import AsyncHTTPClient

from hub_config.settings import ROOT

from ..api import GOOD_ADD, WRONG_ADD, call


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


async def test_correct_and_wrong_submissions_are_graded_and_counted(service, verdict_of) -> None:
    code, body, headers = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": WRONG_ADD}
    )
    assert code == 202 and body["status"] == "queued"
    wrong = await verdict_of(service.base, body["id"], "alice-token")
    assert wrong["verdict"] == "failed" and wrong["score"] < wrong["max_score"]
    hidden = [t for t in wrong["tests"] if t["visibility"] == "hidden"]
    assert hidden and all(t["message"] == "" for t in hidden)

    code, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    right = await verdict_of(service.base, body["id"], "alice-token")
    assert right["verdict"] == "passed" and right["score"] == right["max_score"] == 10

    # Progress is written just after the verdict is stored: a poller may see the verdict
    # a moment before it.
    for _ in range(50):
        code, progress, _ = await call(service, "GET", "/api/progress")
        entry = next(p for p in progress["problems"] if p["problem_id"] == "add-two")
        if entry["attempts"] == 2:
            break
        await asyncio.sleep(0.1)
    assert entry["attempts"] == 2 and entry["solved"] and entry["best_score"] == 10


async def test_notebook_submission_skips_tagged_cells(service, verdict_of) -> None:
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
    assert (await verdict_of(service.base, body["id"], "alice-token"))["verdict"] == "passed"


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


async def test_foreign_submission_is_404(service, verdict_of) -> None:
    _, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    code, answer, _ = await call(
        service, "GET", f"/api/submissions/{body['id']}", token="bob-token"
    )
    assert code == 404
    await verdict_of(service.base, body["id"], "alice-token")


async def test_health_ready_and_metrics(service) -> None:
    assert (await call(service, "GET", "/health", token=None))[0] == 200
    code, ready, _ = await call(service, "GET", "/health/ready", token=None)
    assert code == 200 and ready["checks"] == {"redis": "ok", "mongodb": "ok", "docker": "ok"}
    resp = await AsyncHTTPClient().fetch(f"{service.base}/metrics")
    assert b"coderunner_submissions_total" in resp.body


async def test_levels_unlock_when_enough_of_the_previous_level_is_solved(
    service, verdict_of
) -> None:
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
        assert (await verdict_of(service.base, body["id"], "carol-token"))["verdict"] == "passed"
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


async def submit_and_wait(service, note: str) -> tuple[str, int, dict]:
    """Dave submits a right answer to add-two and long-polls it: its id, the poll's
    status and answer."""
    _, body, _ = await call(
        service,
        "POST",
        "/api/submissions",
        {"problem_id": "add-two", "code": GOOD_ADD + f"# {note}\n"},
        token="dave-token",
    )
    code, doc, _ = await call(
        service, "GET", f"/api/submissions/{body['id']}?wait=15", token="dave-token"
    )
    return body["id"], code, doc


async def test_long_poll_answers_when_the_verdict_is_stored(service) -> None:
    submission_id, code, doc = await submit_and_wait(service, "long poll")
    assert code == 200 and doc["status"] == "graded"  # one request, no polling loop
    code, doc, _ = await call(
        service, "GET", f"/api/submissions/{submission_id}?wait=x", token="dave-token"
    )
    assert code == 400
    code, _, _ = await call(
        service, "GET", f"/api/submissions/{submission_id}?wait=5", token="erin-token"
    )
    assert code == 404


async def test_a_long_poll_woken_by_its_own_worker_does_not_read_the_verdict_back(
    service,
) -> None:
    reads: list[str] = []
    read = service.storage.get_submission

    async def counted(submission_id: str):  # noqa: ANN202
        reads.append(submission_id)
        return await read(submission_id)

    service.storage.get_submission = counted
    service.notifier.recheck_seconds = 60.0  # only the notification wakes the request
    submission_id, code, doc = await submit_and_wait(service, "kept verdict")
    assert code == 200 and doc["status"] == "graded" and doc["verdict"] == "passed"
    # Read once when the request came (queued or running), never after the wake-up.
    assert reads.count(submission_id) == 1
    again, _, _ = await call(
        service, "GET", f"/api/submissions/{submission_id}", token="dave-token"
    )
    assert again == 200 and reads.count(submission_id) == 2  # later requests read MongoDB


async def test_a_learner_pages_through_their_own_submissions_of_a_problem(make_service) -> None:
    from urllib.parse import quote

    app = await make_service(WorkerPool__concurrency=0, Admission__rate_per_minute=0)
    for n in range(3):
        await call(app, "POST", "/api/submissions", {"problem_id": "add-two", "code": f"x = {n}\n"})
    await call(app, "POST", "/api/submissions", {"problem_id": "count-vowels", "code": "y = 1"})
    code, first, _ = await call(app, "GET", "/api/submissions?problem_id=add-two&limit=2")
    assert code == 200
    assert [s["code"] for s in first["submissions"]] == ["x = 2\n", "x = 1\n"]
    assert first["next"]
    code, rest, _ = await call(
        app, "GET", f"/api/submissions?problem_id=add-two&limit=2&before={quote(first['next'])}"
    )
    assert [s["code"] for s in rest["submissions"]] == ["x = 0\n"] and rest["next"] is None
    code, everything, _ = await call(app, "GET", "/api/submissions")
    assert len(everything["submissions"]) == 4
    code, theirs, _ = await call(app, "GET", "/api/submissions", token="bob-token")
    assert theirs == {"submissions": [], "next": None}, "only one's own"
    code, bad, _ = await call(app, "GET", "/api/submissions?before=yesterday")
    assert code == 400


async def test_readiness_names_a_missing_sandbox_image_and_how_to_build_it(make_service) -> None:
    app = await make_service(
        SandboxFactory__image="coderunner-sandbox:not-built", SandboxPool__size=0
    )
    code, body, _ = await call(app, "GET", "/health/ready", token=None)
    assert code == 503
    assert "coderunner-sandbox:not-built is missing" in body["checks"]["docker"]
    assert "make image" in body["checks"]["docker"]


@pytest.mark.parametrize(
    "problem_id",
    ["аdd-two", "add‐two", "ADD-TWO", "add-two%00", "..%2Fadd-two", "add-two%2F..%2F..%2Fsolution"],
)
async def test_look_alike_and_path_like_problem_ids_are_unknown(service, problem_id) -> None:
    # A Cyrillic "а", a Unicode hyphen, capitals, a NUL and paths name no problem.
    code, body, _ = await call(service, "GET", f"/api/problems/{problem_id}")
    assert code == 404 and "No problem" in body["message"]
    code, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": problem_id, "code": GOOD_ADD}
    )
    assert code == 404
