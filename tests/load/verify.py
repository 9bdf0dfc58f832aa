"""After the load: every accepted submission has exactly one verdict, the verdicts are
the right ones, and each learner's progress matches their verdicts, in MongoDB and in
the progress API.

``check`` is a pure function of what the clients saw and what the database holds, so it
is tested without a platform (tests/load/test_loadtest.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from pymongo import AsyncMongoClient

from .report import Submission, summary

FINAL = ("graded", "failed")


async def fetch(mongodb_uri: str, users: list[str], database: str = "coderunner") -> dict:
    """The submissions (without code) and progress records of ``users``."""
    client: AsyncMongoClient = AsyncMongoClient(
        mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=10_000, timeoutMS=60_000
    )
    try:
        db = client[database]
        submissions: list[dict[str, Any]] = []
        progress: list[dict[str, Any]] = []
        for start in range(0, len(users), 200):
            chunk = users[start : start + 200]
            async for doc in db.submissions.find(
                {"user": {"$in": chunk}},
                {
                    "_id": 1,
                    "user": 1,
                    "problem_id": 1,
                    "status": 1,
                    "verdict": 1,
                    "score": 1,
                    "max_score": 1,
                    "attempts": 1,
                    "created_at": 1,
                    "finished_at": 1,
                },
            ):
                submissions.append(doc)
            async for doc in db.progress.find({"user": {"$in": chunk}}):
                progress.append(doc)
        return {"submissions": submissions, "progress": progress}
    finally:
        await client.close()


def _item(ok: bool, summary_text: str, problems: list[str], **info: Any) -> dict[str, Any]:
    return {"ok": ok, "summary": summary_text, "problems": problems, **info}


def check(
    accepted: dict[str, Submission],
    submissions: list[dict[str, Any]],
    progress: list[dict[str, Any]],
    api_progress: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The checks, each ``{"ok", "summary", "problems": [...]}`` naming ids."""
    docs = {str(d["_id"]): d for d in submissions}
    checks: dict[str, Any] = {}

    # 1. Every 202 is stored and has its verdict, once; nothing was stored unseen.
    problems: list[str] = []
    lost = sorted(sid for sid in accepted if sid not in docs)
    for sid in lost:
        s = accepted[sid]
        problems.append(
            f"LOST: {sid} ({s.user}, {s.problem_id}, {s.phase}) answered 202, not stored"
        )
    no_verdict = sorted(
        sid for sid in accepted if sid in docs and docs[sid].get("status") not in FINAL
    )
    for sid in no_verdict:
        problems.append(f"NO VERDICT: {sid} ({docs[sid].get('user')}) is {docs[sid].get('status')}")
    final_without = sorted(
        sid for sid in accepted if sid in docs and docs[sid].get("status") in FINAL
        and not docs[sid].get("verdict")
    )  # fmt: skip
    for sid in final_without:
        problems.append(f"EMPTY VERDICT: {sid} is {docs[sid]['status']} without a verdict")
    differs = []
    for sid, s in sorted(accepted.items()):
        d = docs.get(sid)
        if d is None or s.verdict is None or d.get("status") not in FINAL:
            continue
        if s.verdict != d.get("verdict") or (
            s.score is not None and float(s.score) != float(d.get("score", 0))
        ):
            differs.append(sid)
            problems.append(
                f"VERDICT CHANGED: {sid}: the client saw {s.verdict} {s.score}, "
                f"stored {d.get('verdict')} {d.get('score')}"
            )
    unseen = sorted(sid for sid in docs if sid not in accepted)
    for sid in unseen:
        d = docs[sid]
        problems.append(
            f"STORED WITHOUT A 202: {sid} ({d.get('user')}, {d.get('problem_id')}, "
            f"{d.get('status')} {d.get('verdict')})"
        )
    follow_errors = sorted(sid for sid, s in accepted.items() if s.follow_error)
    redelivered = sorted(sid for sid in docs if int(docs[sid].get("attempts") or 0) > 1)
    checks["one_verdict_each"] = _item(
        not (lost or no_verdict or final_without or differs or unseen),
        f"{len(accepted)} accepted, {len(accepted) - len(lost)} stored, "
        f"{sum(1 for sid in accepted if docs.get(sid, {}).get('status') in FINAL)} with a "
        f"verdict; lost {len(lost)}, without verdict {len(no_verdict)}, verdict changed "
        f"{len(differs)}, stored without a 202 {len(unseen)}; the client saw "
        f"{sum(1 for s in accepted.values() if s.verdict)} verdicts "
        f"({len(follow_errors)} not followed to the end); delivered more than once "
        f"{len(redelivered)}",
        problems,
        lost=lost,
        without_verdict=no_verdict,
        stored_without_202=unseen,
        delivered_more_than_once=redelivered,
        not_followed=[{"id": sid, "error": accepted[sid].follow_error} for sid in follow_errors],
    )

    # 2. Right answers pass with full marks, wrong ones do not.
    problems = []
    verdicts: Counter = Counter()
    for sid, s in sorted(accepted.items()):
        d = docs.get(sid)
        if d is None or d.get("status") not in FINAL:
            continue
        verdicts[f"{s.expected}:{d.get('verdict')}"] += 1
        full = float(d.get("max_score") or 0) > 0 and float(d.get("score") or 0) >= float(
            d.get("max_score") or 0
        )
        if s.expected == "right" and (d.get("verdict") != "passed" or not full):
            problems.append(
                f"RIGHT ANSWER NOT PASSED: {sid} ({s.user}, {s.problem_id}, {s.phase}): "
                f"{d.get('status')} {d.get('verdict')} {d.get('score')}/{d.get('max_score')}"
            )
        if s.expected == "wrong" and full:
            problems.append(f"WRONG ANSWER PASSED: {sid} ({s.user}, {s.problem_id})")
    checks["verdicts_right"] = _item(
        not problems,
        ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())),
        problems,
        by_expectation=dict(verdicts),
    )

    # 3. Progress in MongoDB: per (user, problem) exactly the graded submissions, once.
    problems = []
    graded: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in submissions:
        if d.get("status") == "graded":
            graded[(d["user"], d["problem_id"])].append(d)
    records = {(r["user"], r["problem_id"]): r for r in progress}
    for key in sorted(set(graded) | set(records)):
        user, problem_id = key
        want = expected_progress(graded.get(key, []))
        have = records.get(key)
        if have is None:
            problems.append(f"NO PROGRESS: {user} {problem_id}: {want['attempts']} graded")
            continue
        counted = [str(x) for x in have.get("counted", [])]
        twice = sorted(sid for sid, n in Counter(counted).items() if n > 1)
        if twice:
            problems.append(f"COUNTED TWICE: {user} {problem_id}: {twice}")
        if set(counted) != set(want["ids"]):
            problems.append(
                f"PROGRESS COUNTS OTHER SUBMISSIONS: {user} {problem_id}: counted "
                f"{sorted(set(counted) - set(want['ids']))} extra, "
                f"{sorted(set(want['ids']) - set(counted))} missing"
            )
        solved = have.get("first_solved_at") is not None
        if (
            int(have.get("attempts", 0)) != want["attempts"]
            or float(have.get("best_score", 0)) != want["best_score"]
            or solved != want["solved"]
        ):
            problems.append(
                f"PROGRESS DIFFERS: {user} {problem_id}: attempts {have.get('attempts')} / "
                f"{want['attempts']}, best {have.get('best_score')} / {want['best_score']}, "
                f"solved {solved} / {want['solved']}"
            )
    checks["progress_matches_verdicts"] = _item(
        not problems,
        f"{len(records)} progress records of {len({u for u, _ in records})} learners against "
        f"{sum(len(v) for v in graded.values())} graded submissions",
        problems,
    )

    # 4. The progress API says the same (for the learners asked).
    if api_progress is not None:
        problems = []
        for user, body in sorted(api_progress.items()):
            if not isinstance(body, dict) or "problems" not in body:
                problems.append(f"PROGRESS API: {user}: {str(body)[:200]}")
                continue
            shown = {p["problem_id"]: p for p in body["problems"]}
            for (u, problem_id), docs_of in graded.items():
                if u != user:
                    continue
                want = expected_progress(docs_of)
                p = shown.get(problem_id)
                if (
                    p is None
                    or int(p["attempts"]) != want["attempts"]
                    or bool(p["solved"]) != want["solved"]
                    # the API shows points to one decimal (grading_service/progress.py)
                    or abs(float(p["best_score"]) - want["best_score"]) > 0.051
                ):
                    problems.append(f"PROGRESS API DIFFERS: {user} {problem_id}: {p} / {want}")
        checks["progress_api_matches"] = _item(
            not problems, f"{len(api_progress)} learners asked", problems
        )
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def expected_progress(graded: list[dict[str, Any]]) -> dict[str, Any]:
    """What a learner's progress on one problem must be after these graded submissions."""
    scores = [float(d.get("score") or 0) for d in graded]
    return {
        "ids": sorted(str(d["_id"]) for d in graded),
        "attempts": len(graded),
        "best_score": max(scores, default=0.0),
        "solved": any(
            float(d.get("max_score") or 0) > 0
            and float(d.get("score") or 0) >= float(d.get("max_score") or 0)
            for d in graded
        ),
    }


def stored_grading_seconds(
    accepted: dict[str, Submission], submissions: list[dict[str, Any]]
) -> dict[str, Any]:
    """Per phase: stored ``finished_at - created_at`` (acceptance → verdict stored)."""
    by_phase: dict[str, list[float]] = defaultdict(list)
    for d in submissions:
        s = accepted.get(str(d["_id"]))
        created, finished = d.get("created_at"), d.get("finished_at")
        if (
            s is None
            or not isinstance(created, dt.datetime)
            or not isinstance(finished, dt.datetime)
        ):
            continue
        by_phase[s.phase].append((finished - created).total_seconds())
    return {phase: summary(values, 1, 2) for phase, values in by_phase.items()}
