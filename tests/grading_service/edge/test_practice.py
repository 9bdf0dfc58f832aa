"""A learner's day on the grading API: level locks, hints revealed one by one, the
public tests for a practice check, cheatsheets, queue places and progress with points,
streaks and the next problem (edge/practice.py, grading_service/progress.py), in-process
with the real Redis and MongoDB-protocol server."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from grading_service.edge.access import TEACH

from ..api import call

PUBLIC = "from solution import solve\n\ndef test_public():\n    assert solve(2) == 4\n"


@pytest.fixture
async def two_levels(make_service, write_problem, tmp_path: Path):
    """Track t: level 1 holds one-a and one-b (one of them opens level 2), level 2 holds
    two-a. one-a has hints, public tests and a data file; level 1 has a cheatsheet."""
    root = tmp_path / "content"
    first = write_problem(
        root,
        "one-a",
        meta={"hints": ["Multiply by two.", "Use return."], "data_files": ["numbers.txt"]},
        files={"tests_public.py": PUBLIC},
    )
    (first / "data").mkdir()
    (first / "data" / "numbers.txt").write_text("1\n2\n3\n")
    write_problem(root, "one-b")
    write_problem(root, "two-a", level=2)
    level = json.loads((first.parent / "level.json").read_text())
    (first.parent / "level.json").write_text(json.dumps({**level, "cheatsheets": ["loops"]}))
    (root / "t" / "cheatsheets").mkdir()
    (root / "t" / "cheatsheets" / "loops.md").write_text("# Loops: again and again\n\nfor i in …\n")
    track = json.loads((root / "t" / "track.json").read_text())
    track["guide"] = {"name": "Astro", "emoji": "🚀", "greeting": "Hi!"}
    track["start_here"] = "Open the first problem."
    (root / "t" / "track.json").write_text(json.dumps(track))
    app = await make_service(
        content_dir=str(root), WorkerPool__concurrency=0, Admission__rate_per_minute=0
    )
    app.hub_auth.user_scopes = {"teacher": [f"{TEACH}!group=class-a"]}
    return app


async def solve(app, user: str, problem_id: str, when: dt.datetime | None = None) -> None:
    """Store a passing graded submission and its progress, as a worker would."""
    when = when or dt.datetime.now(dt.UTC)
    doc = {
        "_id": f"{user}-{problem_id}-{when.timestamp()}",
        "user": user,
        "problem_id": problem_id,
        "status": "graded",
        "verdict": "passed",
        "score": 10,
        "max_score": 10,
        "passed": 1,
        "total": 1,
        "tests": [],
        "created_at": when,
    }
    await app.storage.submissions.insert_one(doc)
    await app.storage.record_progress(doc)


async def test_a_locked_level_is_refused_with_its_unlock_rule(two_levels) -> None:
    code, body, _ = await call(two_levels, "GET", "/api/problems/two-a")
    assert code == 403
    assert body["reason"] == "locked"
    assert body["message"] == (
        "This level is locked. Solve 1 of the 2 problems in level 1 (Level 1) to open this level."
    )
    assert body["unlock"] == {"track": "t", "level": 1, "needed": 1, "of": 2, "solved": 0}
    code, body, _ = await call(
        two_levels, "POST", "/api/submissions", {"problem_id": "two-a", "code": "x = 1"}
    )
    assert code == 403 and body["reason"] == "locked"
    code, _, _ = await call(two_levels, "GET", "/api/problems/two-a/hints")
    assert code == 403


async def test_solving_enough_opens_the_next_level(two_levels) -> None:
    await solve(two_levels, "alice", "one-b")
    code, body, _ = await call(two_levels, "GET", "/api/problems/two-a")
    assert code == 200 and body["id"] == "two-a"
    code, _, _ = await call(
        two_levels, "POST", "/api/submissions", {"problem_id": "two-a", "code": "x = 1"}
    )
    assert code == 202


async def test_teachers_open_every_level(two_levels) -> None:
    code, _, _ = await call(two_levels, "GET", "/api/problems/two-a", token="teacher-token")
    assert code == 200


async def test_the_problem_counts_its_hints_and_reveals_them_one_at_a_time(two_levels) -> None:
    code, problem, _ = await call(two_levels, "GET", "/api/problems/one-a")
    assert problem["hint_count"] == 2 and "hints" not in problem
    assert problem["cheatsheets"] == [{"id": "t--loops", "title": "Loops: again and again"}]
    assert problem["data_files"] == ["numbers.txt"]
    path = "/api/problems/one-a/hints"
    assert (await call(two_levels, "GET", path))[1] == {"revealed": [], "total": 2}
    assert (await call(two_levels, "POST", path, {}))[1]["revealed"] == ["Multiply by two."]
    assert (await call(two_levels, "POST", path, {}))[1]["revealed"] == [
        "Multiply by two.",
        "Use return.",
    ]
    code, again, _ = await call(two_levels, "POST", path, {})
    assert code == 200 and len(again["revealed"]) == 2, "past the last hint: the same list"
    assert (await call(two_levels, "GET", path, token="bob-token"))[1]["revealed"] == []
    assert await two_levels.storage.hint_use_of(["alice", "bob"]) == {
        "alice": {"one-a": 2},
        "bob": {},
    }
    code, none, _ = await call(two_levels, "POST", "/api/problems/one-b/hints", {})
    assert code == 200 and none == {"revealed": [], "total": 0}


async def test_public_checks_carry_public_tests_and_data_but_nothing_hidden(two_levels) -> None:
    code, checks, _ = await call(two_levels, "GET", "/api/problems/one-a/checks")
    assert code == 200
    assert checks["kind"] == "function" and checks["source"] == PUBLIC
    assert base64.b64decode(checks["data"]["numbers.txt"]) == b"1\n2\n3\n"
    assert "solve(1) == 2" not in json.dumps(checks), "the hidden test stays on the server"
    code, _, _ = await call(two_levels, "GET", "/api/problems/nope/checks")
    assert code == 404


async def test_cheatsheets_are_listed_and_read(two_levels) -> None:
    code, listing, _ = await call(two_levels, "GET", "/api/cheatsheets")
    assert listing["cheatsheets"] == [
        {"id": "t--loops", "title": "Loops: again and again", "track": "t", "topic": "loops"}
    ]
    code, sheet, _ = await call(two_levels, "GET", "/api/cheatsheets/t--loops")
    assert code == 200 and sheet["markdown"].startswith("# Loops")
    assert (await call(two_levels, "GET", "/api/cheatsheets/t--nope"))[0] == 404


async def test_tracks_carry_the_guide_and_each_levels_rule(two_levels) -> None:
    (track,) = (await call(two_levels, "GET", "/api/tracks"))[1]["tracks"]
    assert track["guide"]["name"] == "Astro" and track["start_here"]
    assert [lv["rule"] for lv in track["levels"]] == [
        "",
        "Solve 1 of the 2 problems in level 1 (Level 1) to open this level.",
    ]


async def test_a_queued_submission_tells_its_place(two_levels) -> None:
    ids = []
    for n in range(2):
        code, body, _ = await call(
            two_levels, "POST", "/api/submissions", {"problem_id": "one-a", "code": f"x = {n}"}
        )
        ids.append(body["id"])
    places = [(await call(two_levels, "GET", f"/api/submissions/{i}"))[1]["position"] for i in ids]
    assert places == [1, 2]


async def test_progress_has_points_streaks_and_the_next_problem(two_levels) -> None:
    code, fresh, _ = await call(two_levels, "GET", "/api/progress")
    assert fresh["points"] == 0 and fresh["streak"]["current"] == 0
    assert fresh["next"]["problem_id"] == "one-a"
    assert [lv["unlocked"] for lv in fresh["levels"]] == [True, False]
    now = dt.datetime.now(dt.UTC)
    await solve(two_levels, "alice", "one-a", now - dt.timedelta(days=1))
    await solve(two_levels, "alice", "one-b", now)
    code, body, _ = await call(two_levels, "GET", "/api/progress")
    assert body["points"] == 20 and body["solved"] == 2
    assert body["tracks"] == [{"track": "t", "solved": 2, "total": 3, "points": 20}]
    assert body["streak"]["current"] == 2 and body["streak"]["today"] is True
    assert body["next"]["problem_id"] == "two-a"
    assert {p["problem_id"]: p["state"] for p in body["problems"]} == {
        "one-a": "solved",
        "one-b": "solved",
    }
    assert body["levels"][1] == {
        "track": "t",
        "level": 2,
        "unlocked": True,
        "rule": "Solve 1 of the 2 problems in level 1 (Level 1) to open this level.",
        "needed": 1,
        "solved_before": 2,
    }
