"""Submissions and progress (storage.py) on a real MongoDB-protocol server: attempts are
counted per delivery, a verdict is stored once, progress counts a submission once, and
only a submission in the right state is requeued or deleted."""

from __future__ import annotations

import secrets

from grading_service.grading.grader import final_result
from grading_service.storage import Storage


def new_submission(user: str = "alice", problem_id: str = "add-two") -> dict:
    return {
        "_id": secrets.token_hex(12),
        "user": user,
        "problem_id": problem_id,
        "code": "def add(a, b):\n    return a + b\n",
        "code_hash": secrets.token_hex(8),
        "source_kind": "code",
    }


def result(verdict: str = "passed", score: float = 10) -> dict:
    return final_result("graded", verdict, "", score, 10, passed=int(score > 0), total=1)


async def stored(storage: Storage, **fields) -> str:
    """The id of a new submission, queued."""
    doc = new_submission(**fields)
    await storage.insert_submission(doc)
    return doc["_id"]


async def graded(storage: Storage, verdict: str = "passed", score: float = 10, **fields) -> dict:
    """A new submission, run and graded; the stored document."""
    sid = await stored(storage, **fields)
    await storage.mark_running(sid, "worker")
    _, doc = await storage.store_verdict(sid, result(verdict, score))
    return doc


async def test_a_new_submission_is_queued_with_no_attempts(storage: Storage) -> None:
    sid = await stored(storage)
    doc = await storage.get_submission(sid)
    assert doc["status"] == "queued" and doc["attempts"] == 0 and doc["user"] == "alice"
    assert doc["created_at"].tzinfo is not None


async def test_every_delivery_to_a_worker_counts_an_attempt(storage: Storage) -> None:
    sid = await stored(storage)
    first = await storage.mark_running(sid, "worker-1")
    again = await storage.mark_running(sid, "worker-2")  # claimed after worker-1 died
    assert (first["status"], first["attempts"]) == ("running", 1)
    assert (again["attempts"], again["worker"]) == (2, "worker-2")
    assert (await storage.get_submission(sid))["attempts"] == 2


async def test_a_final_or_unknown_submission_is_not_run_again(storage: Storage) -> None:
    doc = await graded(storage)
    assert await storage.mark_running(doc["_id"], "worker") is None
    assert (await storage.get_submission(doc["_id"]))["attempts"] == 1
    assert await storage.mark_running("no-such-submission", "worker") is None


async def test_a_verdict_is_stored_once(storage: Storage) -> None:
    sid = await stored(storage)
    await storage.mark_running(sid, "worker")
    stored_now, doc = await storage.store_verdict(sid, result("passed", 10))
    assert stored_now and doc["status"] == "graded" and doc["verdict"] == "passed"
    assert doc["finished_at"] >= doc["started_at"]
    # The same job delivered again, graded differently this time.
    stored_now, again = await storage.store_verdict(sid, result("failed", 0))
    assert not stored_now
    assert (again["verdict"], again["score"]) == ("passed", 10)
    assert (await storage.get_submission(sid))["verdict"] == "passed"


async def test_progress_counts_a_submission_once(storage: Storage) -> None:
    doc = await graded(storage, "failed", 4)
    await storage.record_progress(doc)
    await storage.record_progress(doc)  # a job delivered twice
    (entry,) = await storage.progress_for("alice")
    assert (entry["problem_id"], entry["attempts"], entry["best_score"]) == ("add-two", 1, 4)
    assert entry["last_submission_id"] == doc["_id"] and "counted" not in entry
    assert "first_solved_at" not in entry


async def test_progress_keeps_the_best_score_and_when_it_was_first_solved(
    storage: Storage,
) -> None:
    for verdict, score in (("failed", 4), ("passed", 10), ("failed", 2)):
        await storage.record_progress(await graded(storage, verdict, score))
    (entry,) = await storage.progress_for("alice")
    assert (entry["attempts"], entry["best_score"], entry["max_score"]) == (3, 10, 10)
    first_solved = entry["first_solved_at"]
    await storage.record_progress(await graded(storage, "passed", 10))
    (entry,) = await storage.progress_for("alice")
    assert entry["first_solved_at"] == first_solved and entry["attempts"] == 4


async def test_progress_is_per_learner_and_sorted_by_problem(storage: Storage) -> None:
    for user, problem_id in (("alice", "fizzbuzz"), ("alice", "add-two"), ("bob", "add-two")):
        await storage.record_progress(await graded(storage, user=user, problem_id=problem_id))
    assert [e["problem_id"] for e in await storage.progress_for("alice")] == [
        "add-two",
        "fizzbuzz",
    ]
    assert [e["user"] for e in await storage.progress_for("bob")] == ["bob"]
    assert await storage.progress_for("carol") == []


async def test_only_a_running_submission_is_requeued(storage: Storage) -> None:
    queued = await stored(storage)
    assert not await storage.requeue(queued)
    running = await stored(storage)
    await storage.mark_running(running, "worker")
    assert await storage.requeue(running)
    doc = await storage.get_submission(running)
    assert (doc["status"], doc["attempts"]) == ("queued", 1)  # the attempt stays counted
    final = await graded(storage)
    assert not await storage.requeue(final["_id"])
    assert (await storage.get_submission(final["_id"]))["status"] == "graded"


async def test_only_a_queued_submission_is_deleted(storage: Storage) -> None:
    queued = await stored(storage)
    await storage.delete_submission(queued)
    assert await storage.get_submission(queued) is None
    running = await stored(storage)
    await storage.mark_running(running, "worker")
    await storage.delete_submission(running)
    final = await graded(storage)
    await storage.delete_submission(final["_id"])
    assert (await storage.get_submission(running))["status"] == "running"
    assert (await storage.get_submission(final["_id"]))["status"] == "graded"


async def test_indexes_are_created_at_every_start_without_error(storage: Storage) -> None:
    await storage.ensure_indexes(retention_seconds=3600)
    await storage.ensure_indexes(retention_seconds=3600)
    await storage.ping()


async def test_limit_overrides_are_kept_with_an_audit_trail(storage) -> None:
    await storage.set_override("cohort", "7a", {"rate_per_minute": 20}, by="ms-a")
    await storage.set_override("learner", "ana", {"rate_per_minute": 1}, by="ms-a")
    await storage.set_override("learner", "ana", {"rate_per_minute": 2}, by="head")
    assert await storage.overrides_for("ana", ["7a", "7b"]) == (
        {"rate_per_minute": 2},
        [{"rate_per_minute": 20}],
    )
    assert await storage.overrides_of("7a", ["ana", "ben"]) == {
        "cohort": {"rate_per_minute": 20},
        "learners": {"ana": {"rate_per_minute": 2}},
    }
    await storage.set_override("learner", "ana", None, by="head")
    assert (await storage.overrides_for("ana", ["7a"]))[0] is None
    trail = await storage.audit_of(["learner:ana"])
    assert [(a["by"], a["action"], a["limits"], a["previous"]) for a in trail] == [
        ("head", "clear limits", None, {"rate_per_minute": 2}),
        ("head", "set limits", {"rate_per_minute": 2}, {"rate_per_minute": 1}),
        ("ms-a", "set limits", {"rate_per_minute": 1}, None),
    ]
    assert len(await storage.audit_of(["cohort:7a"])) == 1
