"""Lying solutions (content/liars.py) through the real service (HTTP → Redis → worker → a
real sandbox → MongoDB), on every problem of the curriculum: each scores nothing, the
reference solutions still score full marks, and the service stays healthy."""

from __future__ import annotations

import asyncio

from grading_service.content.liars import lying_solutions
from grading_service.content.store import ContentStore
from hub_config.settings import ROOT

from ..api import call


async def test_lying_solutions_score_nothing_on_any_problem(make_service, verdict_of) -> None:
    app = await make_service(
        level_locks=False,  # open practice: one learner submits to every level
        WorkerPool__concurrency=3,
        SandboxPool__size=3,
        Admission__rate_per_minute=0,
        Admission__daily_quota=0,
        Admission__max_queue_depth=0,
        Admission__max_wait_seconds=0,
        RequestLimits__per_minute=0,  # one learner, hundreds of submissions
    )
    content = ContentStore(ROOT / "content")
    submissions: list[tuple[str, str, str]] = []  # problem, what, source
    for problem in sorted(content.problems.values(), key=lambda p: p.id):
        solution = problem.directory / "solution.py"
        submissions.append((problem.id, "reference", solution.read_text()))
        for lie, source in lying_solutions(problem.kind, solution).items():
            submissions.append((problem.id, lie, source))
    assert len({pid for pid, _, _ in submissions}) >= 45

    async def submit(problem_id: str, source: str) -> str:
        code, body, _ = await call(
            app,
            "POST",
            "/api/submissions",
            {"problem_id": problem_id, "code": source},
            token="liar-token",
        )
        assert code == 202, body
        return body["id"]

    ids = []
    for start in range(0, len(submissions), 10):
        batch = submissions[start : start + 10]
        ids += await asyncio.gather(*(submit(pid, source) for pid, _, source in batch))
    # Followed one at a time; all are graded meanwhile, in the order they were sent.
    results = [await verdict_of(app.base, sid, "liar-token", timeout_seconds=300) for sid in ids]

    earned = []
    for (problem_id, what, _), result in zip(submissions, results, strict=True):
        if what == "reference":
            assert result["verdict"] == "passed", (problem_id, result)
            assert result["score"] == result["max_score"] > 0
        elif result["score"] != 0 or result["verdict"] == "internal_error":
            earned.append((problem_id, what, result["verdict"], result["score"]))
    assert earned == [], earned

    code, health, _ = await call(app, "GET", "/health/ready", token=None)
    assert code == 200, health
