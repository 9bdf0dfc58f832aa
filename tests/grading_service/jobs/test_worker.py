"""Workers (jobs/worker.py) with the real queue on Redis and the real storage on the
MongoDB-protocol server; only the grading is scripted (``ScriptedGrader``, the real
``Grader`` with ``grade`` answered from a list). A job is acked only after its verdict is
stored, a learner's verdict is never retried, our faults are, but not forever."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from grading_service.content.store import ContentStore, Problem
from grading_service.grading.grader import Grader, InfraFault, final_result
from grading_service.grading.sandbox import SandboxFactory
from grading_service.jobs.notify import VerdictNotifier
from grading_service.jobs.queue import JobQueue, QueuedJob
from grading_service.jobs.worker import GAVE_UP_MESSAGE, WorkerPool
from grading_service.records import GradeResult
from grading_service.storage import Storage


class ScriptedGrader(Grader):
    """Answers ``grade`` with the next outcome (a result, or an exception to raise),
    after ``seconds``; no sandbox is started."""

    def __init__(self, *outcomes: GradeResult | Exception, seconds: float = 0.0) -> None:
        super().__init__(SandboxFactory(image="never-started:latest"))
        self.outcomes = list(outcomes)
        self.seconds = seconds
        self.graded: list[str] = []

    async def grade(self, problem: Problem, code: str, *, submission_id: str = "") -> GradeResult:
        self.graded.append(submission_id)
        await asyncio.sleep(self.seconds)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class WatchedStorage(Storage):
    """Storage that looks at the queue whenever a verdict is stored, and can fail to."""

    queue: JobQueue
    unavailable = False

    async def store_verdict(self, submission_id: str, result: GradeResult):
        self.pending_when_stored = await self.queue.depth()
        if self.unavailable:
            raise ServerSelectionTimeoutError("no primary")
        return await super().store_verdict(submission_id, result)


class RecordingNotifier(VerdictNotifier):
    def __init__(self, client, channel: str) -> None:
        super().__init__(client, channel)
        self.published: list[str] = []

    async def publish(self, submission_id: str, stored: dict | None = None) -> None:
        self.published.append(submission_id)
        assert stored is not None and stored["_id"] == submission_id  # handed to requests
        await super().publish(submission_id, stored)  # type: ignore[arg-type]


def verdict(name: str = "passed", score: float = 10) -> GradeResult:
    return final_result("graded", name, "", score, 10, passed=int(score > 0), total=1)


@pytest.fixture
def content(tmp_path: Path, write_problem) -> ContentStore:
    write_problem(tmp_path)
    return ContentStore(tmp_path)


@pytest.fixture
async def watched_storage(mongodb_server, queue: JobQueue):
    database = f"test_{secrets.token_hex(4)}"
    storage = WatchedStorage(mongodb_server.mongodb_uri, database)
    storage.queue = queue
    yield storage
    await storage.client.drop_database(database)
    await storage.close()


@pytest.fixture
def make_pool(queue: JobQueue, watched_storage: WatchedStorage, content, redis_client):
    """``make_pool(*outcomes, **WorkerPool options)``: a worker pool that is not started;
    tests hand it jobs with ``process``."""

    def make(*outcomes: GradeResult | Exception, seconds: float = 0.0, **options) -> WorkerPool:
        return WorkerPool(
            queue=queue,
            storage=watched_storage,
            grader=ScriptedGrader(*outcomes, seconds=seconds),
            content=content,
            notifier=RecordingNotifier(redis_client, f"{queue.stream}:verdicts"),
            **options,
        )

    return make


async def submitted(pool: WorkerPool, problem_id: str = "double") -> QueuedJob:
    """A new submission, stored and queued, and its job as a worker reads it."""
    sid = secrets.token_hex(12)
    await pool.storage.insert_submission(
        {
            "_id": sid,
            "user": "alice",
            "problem_id": problem_id,
            "code": "def solve(n):\n    return 2 * n\n",
            "code_hash": secrets.token_hex(8),
            "source_kind": "code",
        }
    )
    await pool.queue.enqueue(sid)
    (job,) = await pool.queue.read("test-worker", block_ms=100)
    return job


async def test_a_job_is_acked_only_after_its_verdict_is_stored(make_pool) -> None:
    pool = make_pool(verdict("passed"))
    job = await submitted(pool)
    await pool.process(job, "test-worker")
    assert pool.storage.pending_when_stored == 1  # still pending while the verdict was written
    assert await pool.queue.depth() == 0
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["verdict"], doc["attempts"]) == ("graded", "passed", 1)
    assert pool.notifier.published == [job.submission_id]
    (entry,) = await pool.storage.progress_for("alice")
    assert entry["attempts"] == 1 and entry["best_score"] == 10


async def test_a_verdict_that_cannot_be_stored_leaves_the_job_for_another_worker(
    make_pool,
) -> None:
    # Past store_retry_seconds (the worker keeps trying that long first; see
    # test_worker_faults.py) the job is left for another worker.
    pool = make_pool(
        verdict("passed"),
        verdict("passed"),
        store_retry_seconds=0.6,
        store_retry_max_backoff_seconds=0.2,
    )
    job = await submitted(pool)
    pool.storage.unavailable = True
    await pool.process(job, "test-worker")
    assert await pool.queue.depth() == 1  # not acked
    assert (await pool.storage.get_submission(job.submission_id))["status"] == "running"
    assert pool.notifier.published == []

    pool.storage.unavailable = False
    await asyncio.sleep(0.3)
    (again,) = await pool.queue.claim_stale("other-worker", min_idle_ms=200)
    await pool.process(again, "other-worker")
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["attempts"]) == ("graded", 2)
    assert await pool.queue.depth() == 0


@pytest.mark.parametrize(
    ("name", "score"),
    [("failed", 5), ("syntax_error", 0), ("timeout", 0), ("memory_limit", 0), ("crashed", 0)],
)
async def test_a_learners_verdict_is_final_and_never_retried(
    make_pool, name: str, score: float
) -> None:
    pool = make_pool(verdict(name, score))
    job = await submitted(pool)
    await pool.process(job, "test-worker")
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["verdict"], doc["attempts"]) == ("graded", name, 1)
    assert pool.grader.graded == [job.submission_id]
    assert await pool.queue.depth() == 0  # acked, and not queued again
    (entry,) = await pool.storage.progress_for("alice")
    assert entry["attempts"] == 1  # the learner's attempt


async def test_an_infrastructure_fault_queues_the_job_again_with_the_attempt_counted(
    make_pool,
) -> None:
    pool = make_pool(InfraFault("no sandbox"), verdict("passed"))
    job = await submitted(pool)
    await pool.process(job, "test-worker")  # after a backoff of 1 s
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["attempts"]) == ("queued", 1)
    assert await pool.queue.depth() == 1  # the old delivery acked, a new one waiting
    (again,) = await pool.queue.read("test-worker", block_ms=100)
    assert again.submission_id == job.submission_id and again.message_id != job.message_id
    await pool.process(again, "test-worker")
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["verdict"], doc["attempts"]) == ("graded", "passed", 2)
    assert await pool.storage.progress_for("alice") != []


async def test_our_fault_on_the_last_attempt_is_a_final_internal_error(make_pool) -> None:
    pool = make_pool(RuntimeError("a bug of ours"), max_infra_attempts=1)
    job = await submitted(pool)
    await pool.process(job, "test-worker")
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["verdict"], doc["message"]) == (
        "failed",
        "internal_error",
        GAVE_UP_MESSAGE,
    )
    assert await pool.queue.depth() == 0
    assert await pool.storage.progress_for("alice") == []  # not the learner's attempt


async def test_a_delivery_past_the_attempt_limit_is_finished_without_grading(make_pool) -> None:
    pool = make_pool(max_infra_attempts=1)
    job = await submitted(pool)
    await pool.storage.mark_running(job.submission_id, "a-worker-that-died")
    await pool.process(job, "test-worker")
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["verdict"], doc["attempts"]) == ("internal_error", 2)
    assert pool.grader.graded == [] and await pool.queue.depth() == 0


async def test_a_job_delivered_again_after_its_verdict_is_acked_without_grading(
    make_pool,
) -> None:
    pool = make_pool(verdict("passed"))
    job = await submitted(pool)
    await pool.process(job, "test-worker")
    await pool.queue.enqueue(job.submission_id)  # delivered a second time
    (again,) = await pool.queue.read("test-worker", block_ms=100)
    await pool.process(again, "test-worker")
    assert pool.grader.graded == [job.submission_id]
    assert pool.notifier.published == [job.submission_id]
    assert await pool.queue.depth() == 0
    (entry,) = await pool.storage.progress_for("alice")
    assert entry["attempts"] == 1


async def test_a_problem_no_longer_in_the_content_is_an_internal_error(make_pool) -> None:
    pool = make_pool()
    job = await submitted(pool, problem_id="removed-problem")
    await pool.process(job, "test-worker")
    doc = await pool.storage.get_submission(job.submission_id)
    assert (doc["status"], doc["verdict"]) == ("failed", "internal_error")
    assert "no longer available" in doc["message"] and pool.grader.graded == []


async def test_a_job_being_graded_is_not_claimed_by_others_however_long_it_takes(
    make_pool,
) -> None:
    pool = make_pool(verdict("passed"), seconds=2.0, visibility_timeout_seconds=0.6)
    job = await submitted(pool)
    grading = asyncio.create_task(pool.process(job, "test-worker"))
    claimed = []
    while not grading.done():  # heartbeats every 0.2 s keep the job fresh
        claimed += await pool.queue.claim_stale("other-worker", min_idle_ms=600)
        await asyncio.sleep(0.1)
    await grading
    assert claimed == [] and pool.grader.graded == [job.submission_id]
    assert await pool.queue.depth() == 0
