"""How fast the teacher dashboard's report of one class is, on a realistic class.

A class of ``learners`` learners on a track of ``problems`` problems with ``submissions``
graded submissions (with their tests) is written to a database of its own; then the
dashboard's work for one refresh (the cohort query of ``Storage.graded_submissions_of``
and ``report.cohort_report``, everything the handler does but asking the hub, which is
cached) is timed ``repeats`` times. The baseline, in the same run, is the bare fetch of
the same documents without projection or report: what the database alone costs.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

from grading_service.dashboard import report
from grading_service.storage import Storage

TARGET_MS = 1000.0


def seed_docs(learners: int, problems: int, submissions: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
    docs = []
    for i in range(submissions):
        user, problem = f"learner{rng.randrange(learners):02d}", rng.randrange(problems)
        passed = rng.randrange(7)
        tests = [
            {
                "name": f"test_{k}",
                "status": "pass" if k < passed else "fail",
                "visibility": "hidden" if k >= 2 else "public",
                "message": "",
            }
            for k in range(6)
        ]
        docs.append(
            {
                "_id": f"s{i:05d}",
                "user": user,
                "problem_id": f"p{problem:02d}",
                "status": "graded",
                "verdict": "passed" if passed == 6 else "failed",
                "score": round(10 * passed / 6, 2),
                "max_score": 10,
                "created_at": start + dt.timedelta(minutes=i),
                "code": "def solve(n):\n    return n\n" * 8,
                "code_hash": f"{i:064x}",
                "tests": tests,
                "attempts": 1,
            }
        )
    return docs


async def measure(
    mongodb_uri: str,
    database: str,
    *,
    learners: int = 40,
    problems: int = 45,
    submissions: int = 2000,
    repeats: int = 15,
) -> dict[str, Any]:
    storage = Storage(mongodb_uri, database)
    try:
        await storage.ensure_indexes(retention_seconds=365 * 86400)
        await storage.submissions.insert_many(seed_docs(learners, problems, submissions))
        members = [f"learner{i:02d}" for i in range(learners)]
        index = [
            {"id": f"p{p:02d}", "title": f"Problem {p}", "track": "t", "level": 1 + p // 5,
             "points": 10}
            for p in range(problems)
        ]  # fmt: skip
        columns = report.columns(index, "t")

        async def full() -> int:
            docs = await storage.graded_submissions_of(members)
            data = report.cohort_report({"name": "bench"}, members, columns, docs)
            return len(data["learners"])

        async def bare() -> int:
            return len([d async for d in storage.submissions.find({"user": {"$in": members}})])

        timings: dict[str, list[float]] = {"report": [], "bare_fetch": []}
        await full()  # warm caches
        for _ in range(repeats):
            for name, step in (("report", full), ("bare_fetch", bare)):
                started = time.perf_counter()
                await step()
                timings[name].append((time.perf_counter() - started) * 1000)
        report_p50 = statistics.median(timings["report"])
        bare_p50 = statistics.median(timings["bare_fetch"])
        return {
            "learners": learners,
            "problems": problems,
            "submissions": submissions,
            "repeats": repeats,
            "report_ms": {"p50": round(report_p50, 1), "max": round(max(timings["report"]), 1)},
            "bare_fetch_ms": {"p50": round(bare_p50, 1)},
            "report_over_bare_fetch": round(report_p50 / bare_p50, 2) if bare_p50 else None,
        }
    finally:
        await storage.client.drop_database(database)
        await storage.close()
