"""Workers: take a job, grade it in a fresh sandbox, store the verdict, then ack.

Retries happen only for infrastructure faults (no sandbox, runner crash, storage down),
at most ``max_infra_attempts`` times; a learner's own failure is a verdict and is never
retried.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from typing import Any

from traitlets import Float, Integer
from traitlets.config import LoggingConfigurable

from . import metrics
from .content import ContentStore, Problem
from .notify import VerdictNotifier
from .queue import JobQueue, QueuedJob
from .runner_launcher import RunnerFailed, run_in_fresh_process
from .sandbox import SandboxError, SandboxFactory, SandboxPool
from .storage import Storage, utcnow

log = logging.getLogger("coderunner.worker")


class InfraFault(RuntimeError):
    """Grading could not happen for reasons that are not the learner's."""


class WorkerPool(LoggingConfigurable):
    concurrency = Integer(
        2, help="Submissions graded at the same time by this service (one sandbox each).",
    ).tag(config=True)

    visibility_timeout_seconds = Float(
        120.0,
        help="""A job pending this long without an ack is taken to belong to a dead worker
        and is claimed again. Keep it above the longest time limit plus start-up.""",
    ).tag(config=True)

    max_infra_attempts = Integer(
        3, help="How often a job is tried when the infrastructure fails before it is marked "
                "failed.",
    ).tag(config=True)

    max_result_bytes = Integer(
        256 * 1024, help="Largest stored result; captured output is dropped beyond this.",
    ).tag(config=True)

    def __init__(self, *, queue: JobQueue, storage: Storage, sandboxes: SandboxFactory,
                 content: ContentStore, pool: SandboxPool | None = None,
                 notifier: VerdictNotifier | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue = queue
        self.storage = storage
        self.sandboxes = sandboxes
        self.pool = pool
        self.notifier = notifier
        self.content = content
        self.name = f"{socket.gethostname()}-{id(self):x}"
        self._tasks: list[asyncio.Task] = []
        self._removals: set[asyncio.Task] = set()
        self._stopping = asyncio.Event()
        self.image_id = ""

    async def start(self) -> None:
        await self.queue.ensure_group()
        try:
            self.image_id = await asyncio.to_thread(self.sandboxes.image_id)
        except Exception as exc:  # noqa: BLE001 - reported; grading retries per job
            log.warning("sandbox image %s not found: %s", self.sandboxes.image, exc)
        for n in range(self.concurrency):
            self._tasks.append(asyncio.create_task(self._consume(f"{self.name}-{n}")))
        self._tasks.append(asyncio.create_task(self._reclaim()))

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Stop taking jobs; let jobs in flight finish (unacked ones are claimed later)."""
        self._stopping.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=grace_seconds)
            for task in pending:
                task.cancel()
        await self.drain_removals(grace_seconds)

    async def drain_removals(self, grace_seconds: float = 30.0) -> None:
        """Wait until the used sandboxes scheduled for removal are gone."""
        if self._removals:
            await asyncio.wait(set(self._removals), timeout=grace_seconds)

    def _remove_later(self, container_id: str) -> None:
        """Remove a used sandbox off the verdict's path (stop() waits for these)."""
        task = asyncio.create_task(self.sandboxes.remove(container_id))
        self._removals.add(task)
        task.add_done_callback(self._removals.discard)

    async def _consume(self, consumer: str) -> None:
        while not self._stopping.is_set():
            try:
                jobs = await self.queue.read(consumer, block_ms=1000)
            except Exception as exc:  # noqa: BLE001 - Redis down: wait and try again
                log.warning("cannot read the queue: %s", exc)
                await self._sleep(1.0)
                continue
            for job in jobs:
                await self._process_safely(job, consumer)

    async def _process_safely(self, job: QueuedJob, consumer: str) -> None:
        """Process a job; a fault here (say Redis gone while acking) must not end the
        worker. The job stays pending and is claimed again later."""
        try:
            await self.process(job, consumer)
        except Exception as exc:  # noqa: BLE001
            log.warning("job left pending after a fault: %s", exc,
                        extra={"submission_id": job.submission_id})

    async def _reclaim(self) -> None:
        interval = max(self.visibility_timeout_seconds / 4, 0.5)
        consumer = f"{self.name}-reclaim"
        while not self._stopping.is_set():
            await self._sleep(interval)
            try:
                jobs = await self.queue.claim_stale(
                    consumer, int(self.visibility_timeout_seconds * 1000))
            except Exception as exc:  # noqa: BLE001
                log.warning("cannot claim stale jobs: %s", exc)
                continue
            for job in jobs:
                log.info("claimed a stale job", extra={"submission_id": job.submission_id})
                await self._process_safely(job, consumer)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def process(self, job: QueuedJob, consumer: str) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(job, consumer))
        try:
            await self._process(job, consumer)
        finally:
            heartbeat.cancel()

    async def _heartbeat(self, job: QueuedJob, consumer: str) -> None:
        """Keep a job we are working on from looking abandoned to other workers."""
        interval = max(self.visibility_timeout_seconds / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.queue.touch(job, consumer)
            except Exception as exc:  # noqa: BLE001 - a missed beat only risks a re-grade
                log.warning("heartbeat failed: %s", exc,
                            extra={"submission_id": job.submission_id})

    async def _process(self, job: QueuedJob, consumer: str) -> None:
        submission_id = job.submission_id
        extra: dict[str, Any] = {"submission_id": submission_id}
        try:
            submission = await self.storage.mark_running(submission_id, consumer)
        except Exception as exc:  # noqa: BLE001 - storage down: leave unacked, claimed later
            log.warning("cannot load submission: %s", exc, extra=extra)
            return
        if submission is None:  # already final (duplicate delivery) or unknown
            await self.queue.ack(job)
            return
        extra["user"] = submission["user"]
        created = submission.get("created_at")
        if created is not None and submission["attempts"] == 1:
            metrics.QUEUE_WAIT_SECONDS.observe((utcnow() - created).total_seconds())
        problem = self.content.get(submission["problem_id"])
        try:
            if problem is None:
                result = self._final("failed", "internal_error",
                                     "This problem is no longer available.", 0, 0)
            else:
                result = await self.grade(submission, problem)
        except InfraFault as exc:
            await self._retry_or_fail(job, submission, str(exc), extra)
            return
        await self._finish(job, submission, result, extra)

    async def _finish(self, job: QueuedJob, submission: dict, result: dict,
                      extra: dict) -> None:
        try:
            stored_now, stored = await self.storage.store_verdict(submission["_id"], result)
            if stored_now:
                metrics.VERDICTS.labels(result.get("verdict", "none")).inc()
                if self.notifier is not None:
                    await self.notifier.publish(submission["_id"])
            if stored and stored.get("status") == "graded":
                await self.storage.record_progress(stored)
        except Exception as exc:  # noqa: BLE001 - leave unacked; the write is idempotent
            log.warning("cannot store the verdict yet: %s", exc, extra=extra)
            return
        await self.queue.ack(job)
        log.info("graded", extra={**extra, "verdict": result.get("verdict"),
                                  "duration_ms": result.get("grading_ms")})

    async def _retry_or_fail(self, job: QueuedJob, submission: dict, reason: str,
                             extra: dict) -> None:
        log.warning("infrastructure fault: %s", reason, extra=extra)
        if submission["attempts"] >= self.max_infra_attempts:
            result = self._final("failed", "internal_error",
                                 "Grading failed because of a fault on our side; "
                                 "please submit again later.", 0, 0)
            await self._finish(job, submission, result, extra)
            return
        metrics.INFRA_RETRIES.inc()
        await self._sleep(min(2 ** submission["attempts"] * 0.5, 10))
        try:
            await self.storage.submissions.update_one(
                {"_id": submission["_id"], "status": "running"}, {"$set": {"status": "queued"}})
            await self.queue.enqueue(submission["_id"],
                                     priority=job.stream == self.queue.priority_stream)
            await self.queue.ack(job)
        except Exception as exc:  # noqa: BLE001 - unacked: the reclaimer will retry it
            log.warning("cannot requeue: %s", exc, extra=extra)

    @staticmethod
    def _final(status: str, verdict: str, message: str, score: float, max_score: float,
               **more: Any) -> dict:
        return {"status": status, "verdict": verdict, "message": message, "score": score,
                "max_score": max_score, "tests": [], **more}

    async def grade(self, submission: dict, problem: Problem) -> dict:
        """Grade one submission in its own fresh sandbox; raises InfraFault."""
        started = time.monotonic()
        try:
            if self.pool is not None:
                container_id = await self.pool.acquire(problem.memory_limit_mb)
            else:
                container_id = await self.sandboxes.start(problem.memory_limit_mb)
        except SandboxError as exc:
            raise InfraFault(str(exc)) from exc
        try:
            job = {
                "container_id": container_id,
                "docker_socket": self.sandboxes.docker_socket,
                "kind": problem.kind,
                "source": submission["code"],
                "tests": problem.test_files(),
                "time_limit_seconds": problem.time_limit_seconds,
                "max_output_bytes": self.sandboxes.max_output_bytes,
            }
            outcome = await self._run_runner(job, problem.time_limit_seconds + 30)
            if outcome.get("verdict") == "crashed" and await self.sandboxes.oom_killed(
                    container_id):
                outcome["verdict"] = "memory_limit"
                outcome["message"] = (f"Your code used more than the "
                                      f"{problem.memory_limit_mb} MiB memory limit.")
        finally:
            self._remove_later(container_id)
        if outcome.get("verdict") == "internal_error":
            raise InfraFault(f"runner: {outcome.get('message')}")
        elapsed = time.monotonic() - started
        metrics.GRADING_SECONDS.observe(elapsed)
        passed, total = int(outcome.get("passed", 0)), int(outcome.get("total", 0))
        score = round(problem.points * passed / total, 2) if total else 0
        result = self._final(
            "graded", outcome["verdict"], outcome.get("message", ""), score, problem.points,
            passed=passed, total=total, image=self.image_id or self.sandboxes.image,
            grading_ms=round(elapsed * 1000, 1))
        result["tests"] = outcome.get("tests", [])
        return self._cap(result)

    async def _run_runner(self, job: dict, limit_seconds: float) -> dict:
        try:
            return await run_in_fresh_process(job, limit_seconds)
        except RunnerFailed as exc:
            raise InfraFault(str(exc)) from None

    def _cap(self, result: dict) -> dict:
        if len(json.dumps(result, default=str)) <= self.max_result_bytes:
            return result
        for test in result["tests"]:
            if test.get("stdout"):
                test["stdout"] = ""
                test["stdout_dropped"] = True
        while len(json.dumps(result, default=str)) > self.max_result_bytes and result["tests"]:
            for test in result["tests"]:
                test["message"] = test.get("message", "")[:200]
            if len(json.dumps(result, default=str)) > self.max_result_bytes:
                result["tests"] = result["tests"][: len(result["tests"]) // 2]
                result["tests_truncated"] = True
        return result
