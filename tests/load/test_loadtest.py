"""`make loadtest` keeps working: the driver runs every profile with a few learners on the
test session's platform, and its checks catch a lost or twice-counted verdict."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hub_config.devstack import Stack
from tests.load.driver import Options, run
from tests.load.report import Submission, refusal_reason, render
from tests.load.verify import check


def sub(sid: str, expected: str = "right", verdict: str | None = "passed") -> Submission:
    return Submission(
        id=sid,
        user="ann",
        problem_id="add-two",
        expected=expected,
        phase="class",
        route="grader",
        accepted_after_seconds=1.0,
        verdict=verdict,
        score=10 if verdict == "passed" else 0,
        max_score=10,
    )


def stored(sid: str, score: float = 10, status: str = "graded") -> dict:
    now = dt.datetime.now(dt.UTC)
    return {
        "_id": sid,
        "user": "ann",
        "problem_id": "add-two",
        "status": status,
        "verdict": "passed" if score == 10 else "failed",
        "score": score,
        "max_score": 10,
        "attempts": 1,
        "created_at": now,
        "finished_at": now,
    }


def progress(counted: list[str], best: float = 10, solved: bool = True) -> dict:
    return {
        "user": "ann",
        "problem_id": "add-two",
        "attempts": len(counted),
        "best_score": best,
        "counted": counted,
        "first_solved_at": dt.datetime.now(dt.UTC) if solved else None,
    }


def test_verification_passes_when_every_accepted_submission_has_one_counted_verdict() -> None:
    result = check(
        {"a": sub("a"), "b": sub("b", "wrong", "failed")},
        [stored("a"), stored("b", score=0)],
        [progress(["a", "b"])],
    )
    assert result["ok"], result


def test_verification_names_lost_unfinished_unseen_and_twice_counted_submissions() -> None:
    result = check(
        {"lost": sub("lost"), "a": sub("a"), "q": sub("q", verdict=None)},
        [stored("a"), stored("q", status="queued"), stored("extra")],
        [progress(["a", "a", "extra"])],
    )
    checks = result["checks"]
    assert not result["ok"]
    assert checks["one_verdict_each"]["lost"] == ["lost"]
    assert checks["one_verdict_each"]["without_verdict"] == ["q"]
    assert checks["one_verdict_each"]["stored_without_202"] == ["extra"]
    assert any(
        "COUNTED TWICE" in p and "'a'" in p for p in checks["progress_matches_verdicts"]["problems"]
    )


def test_verification_catches_progress_that_disagrees_with_the_verdicts() -> None:
    result = check(
        {"a": sub("a", "wrong", "failed")},
        [stored("a", score=0)],
        [progress(["a"], best=10, solved=True)],
        {"ann": {"problems": [{"problem_id": "add-two", "attempts": 2, "solved": False,
                               "best_score": 0}]}},
    )  # fmt: skip
    assert not result["checks"]["progress_matches_verdicts"]["ok"]
    assert not result["checks"]["progress_api_matches"]["ok"]


def test_refusals_are_sorted_by_the_reason_the_service_gives() -> None:
    assert refusal_reason(429, {"reason": "long_polls", "message": "…"}) == "long_polls"
    assert refusal_reason(429, {"message": "Slow down a little: …", "reason": None}) == "requests"
    assert refusal_reason(429, {"message": "Too many submissions: at most 10 per minute."}) == (
        "rate_limit"
    )
    assert refusal_reason(429, {"message": "Daily limit of 300 submissions reached."}) == (
        "daily_quota"
    )
    assert refusal_reason(503, {"message": "The grader is very busy: …"}) == "backpressure"
    assert refusal_reason(503, "<html>") == "503_other"


@pytest.mark.timeout(300)
async def test_the_load_test_runs_every_profile_with_a_few_learners(
    hub_stack: Stack, tmp_path
) -> None:
    options = Options(
        learners=3,
        session_seconds=15,
        think_seconds=(2.0, 4.0),
        spike_users=6,
        spike_ramp_seconds=4,
        spike_hold_seconds=4,
        spike_think_seconds=(2.0, 4.0),
        api_users=12,
        api_arrival_seconds=6,
        overload_seconds=10,
        drain_seconds=60,
        stop_servers=True,
        verify_api_users=10,
        max_seconds=240,
    )
    report = await run(hub_stack, options)
    (tmp_path / "loadtest.json").write_text(json.dumps(report, default=str))
    text = render(report)
    assert report["verification"]["ok"], text
    assert report["phases"]["class"]["spawn"]["ready"] == 3, text
    for phase in ("class", "spike", "api", "overload"):
        assert report["phases"][phase]["submissions"]["accepted"] > 0, text
    assert "ext POST submissions" in report["phases"]["class"]["routes"]
    assert "grader POST submissions" in report["phases"]["api"]["routes"]
    assert report["phases"]["class"]["spawn"]["spawn_seconds"]["p95"] is not None
