"""Workers: take a job, grade it in a fresh sandbox (``Grader``), store the verdict, then ack.

A learner's own failure is a verdict and is never retried. Infrastructure faults (no
sandbox, runner crash, storage down) and unexpected errors while grading (a bug of ours,
or one a submission triggers) are retried with a backoff. Every delivery of a job counts
as an attempt, including one claimed again after its worker died; after
``max_infra_attempts`` the submission gets a final ``internal_error`` verdict, so no job
is retried forever and no learner sees "running" forever.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

from traitlets import Float, Integer, observe
from traitlets.config import LoggingConfigurable

from .. import metrics
from ..content.store import ContentStore
from ..grading.availability import DockerAvailability
from ..grading.grader import Grader, InfraFault, final_result
from ..records import GradeResult, Submission
from ..storage import Storage, utcnow
from .notify import VerdictNotifier
from .queue import JobQueue, QueuedJob

__all__ = ["GAVE_UP_MESSAGE", "InfraFault", "WorkerPool"]

log = logging.getLogger("coderunner.worker")

GAVE_UP_MESSAGE = "Grading failed because of a fault on our side; please submit again later."


class WorkerPool(LoggingConfigurable):
    concurrency = Integer(
        2,
        help="Submissions graded at the same time by this service (one sandbox each).",
    ).tag(config=True)

    visibility_timeout_seconds = Float(
        120.0,
        help="""A job pending this long without an ack is taken to belong to a dead worker
        and is claimed again. Keep it above the longest time limit plus start-up.""",
    ).tag(config=True)

    max_infra_attempts = Integer(
        3,
        help="""Deliveries of a job before it is given up: after this many attempts that
        ended in an infrastructure fault, an unexpected grading error or a dead worker,
        the submission gets a final internal_error verdict asking the learner to submit
        again later. A learner's own failure is a verdict at once and never retried.""",
    ).tag(config=True)

    store_retry_seconds = Float(
        300.0,
        help="""How long a worker keeps a verdict it cannot store (the database is down
        or frozen) and tries the write again, with a backoff of up to
        store_retry_max_backoff_seconds, before leaving the job to be claimed again.
        Its heartbeat keeps the job its own meanwhile, so the verdict lands seconds
        after the database is back instead of after the visibility timeout.""",
    ).tag(config=True)

    store_retry_max_backoff_seconds = Float(
        5.0, help="Longest wait between two tries to store a verdict."
    ).tag(config=True)

    max_result_bytes = Integer(
        None,
        allow_none=True,
        help="Deprecated: use Grader.max_result_bytes (set here, it is passed on).",
    ).tag(config=True)

    @observe("max_result_bytes")
    def _max_result_bytes_moved(self, change: dict) -> None:
        if change["new"] is not None:
            self.log.warning(
                "WorkerPool.max_result_bytes is deprecated; use Grader.max_result_bytes"
            )

    def __init__(
        self,
        *,
        queue: JobQueue,
        storage: Storage,
        grader: Grader,
        content: ContentStore,
        notifier: VerdictNotifier | None = None,
        docker: DockerAvailability | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.docker = docker
        self.queue = queue
        self.storage = storage
        self.grader = grader
        if self.max_result_bytes is not None:
            grader.max_result_bytes = self.max_result_bytes
        self.notifier = notifier
        self.content = content
        self.name = f"{socket.gethostname()}-{id(self):x}"
        self._tasks: list[asyncio.Task] = []
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        await self.queue.ensure_group()
        for n in range(self.concurrency):
            self._tasks.append(asyncio.create_task(self._consume(f"{self.name}-{n}")))
        self._tasks.append(asyncio.create_task(self._reclaim()))
        if self.concurrency:
            self._tasks.append(asyncio.create_task(self._announce()))

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Stop taking jobs; let jobs in flight finish (unacked ones are claimed later).

        The used sandboxes' removal is the grader's: call ``Grader.close`` afterwards.
        """
        self._stopping.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=grace_seconds)
            for task in pending:
                task.cancel()

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
        worker. The job stays pending and is claimed again later, which counts as one
        more attempt, so even a fault that repeats ends with a final verdict."""
        try:
            await self.process(job, consumer)
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "job left pending after a fault: %s",
                exc,
                extra={"submission_id": job.submission_id},
            )

    async def _reclaim(self) -> None:
        interval = max(self.visibility_timeout_seconds / 4, 0.5)
        consumer = f"{self.name}-reclaim"
        while not self._stopping.is_set():
            await self._sleep(interval)
            try:
                jobs = await self.queue.claim_stale(
                    consumer, int(self.visibility_timeout_seconds * 1000)
                )
            except Exception as exc:  # noqa: BLE001
                log.warning("cannot claim stale jobs: %s", exc)
                continue
            for job in jobs:
                log.info("claimed a stale job", extra={"submission_id": job.submission_id})
                await self._process_safely(job, consumer)

    async def _announce(self, every_seconds: float = 10.0) -> None:
        """Tell admission, through Redis, how many jobs this replica grades at a time."""
        while not self._stopping.is_set():
            try:
                await self.queue.announce_workers(self.name, self.concurrency, 3 * every_seconds)
            except Exception as exc:  # noqa: BLE001 - Redis down: the next beat tries again
                log.warning("cannot announce the workers: %s", exc)
            await self._sleep(every_seconds)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def process(self, job: QueuedJob, consumer: str) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(job, consumer))
        metrics.WORKERS_BUSY.inc()
        try:
            await self._process(job, consumer)
        finally:
            metrics.WORKERS_BUSY.dec()
            heartbeat.cancel()

    async def _heartbeat(self, job: QueuedJob, consumer: str) -> None:
        """Keep a job we are working on from looking abandoned to other workers."""
        interval = max(self.visibility_timeout_seconds / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.queue.touch(job, consumer)
            except Exception as exc:  # noqa: BLE001 - a missed beat only risks a re-grade
                log.warning("heartbeat failed: %s", exc, extra={"submission_id": job.submission_id})

    async def _process(self, job: QueuedJob, consumer: str) -> None:
        submission_id = job.submission_id
        extra: dict[str, Any] = {"submission_id": submission_id}
        while True:
            try:
                # Counts this delivery as an attempt, whoever delivered it.
                submission = await self.storage.mark_running(submission_id, consumer)
                break
            except Exception as exc:  # noqa: BLE001 - storage away: wait for it, then again
                log.warning("cannot load submission: %s", exc, extra=extra)
                if not await self._wait_for_storage(extra):
                    return  # unacked: claimed again later
        if submission is None:  # already final (duplicate delivery) or unknown
            await self.queue.ack(job)
            return
        extra["user"] = submission["user"]
        attempts = submission["attempts"]
        if attempts > self.max_infra_attempts:
            # Delivered again after the last allowed attempt: its worker died or could
            # not store anything. Grading it again could kill the next worker too.
            log.warning("giving up: delivered %d times", attempts, extra=extra)
            await self._finish(job, submission, self._gave_up(), extra)
            return
        created = submission.get("created_at")
        if created is not None and attempts == 1:
            metrics.QUEUE_WAIT_SECONDS.observe((utcnow() - created).total_seconds())
        problem = self.content.get(submission["problem_id"])
        if problem is None:
            result = final_result(
                "failed", "internal_error", "This problem is no longer available.", 0, 0
            )
            await self._finish(job, submission, result, extra)
            return
        while True:
            try:
                result = await self.grader.grade(
                    problem, submission["code"], submission_id=submission_id
                )
                break
            except InfraFault as exc:
                log.warning("infrastructure fault: %s", exc, extra=extra)
                if self.docker is not None and not await self.docker.available(fresh=True):
                    # The daemon is away (restarting): not this job's fault, so it costs
                    # no attempt. Wait for it and grade again in this same delivery.
                    if not await self._wait_for_docker(extra):
                        return  # unacked: claimed again later
                    retry_now = True
                else:
                    retry_now = False
                if self.grader.pool is not None:
                    # Its ready sandboxes may have died too (a daemon restart kills every
                    # container); faults are rare, new sandboxes cost little.
                    await self.grader.pool.flush()
                if retry_now:
                    continue
                await self._retry_or_fail(job, submission, extra, infra_fault=True)
                return
            except Exception:
                log.exception("unexpected error while grading", extra=extra)
                metrics.GRADING_ERRORS.inc()
                await self._retry_or_fail(job, submission, extra, infra_fault=False)
                return
        await self._finish(job, submission, result, extra)

    async def _finish(
        self, job: QueuedJob, submission: Submission, result: GradeResult, extra: dict
    ) -> None:
        if not await self._store(submission, result, extra):
            return  # unacked: claimed again later; the write is idempotent
        await self.queue.ack(job)
        log.info(
            "graded",
            extra={
                **extra,
                "verdict": result.get("verdict"),
                "duration_ms": result.get("grading_ms"),
            },
        )

    async def _wait_for_storage(self, extra: dict) -> bool:
        """Wait, with a backoff, until the database answers a ping again (within
        ``store_retry_seconds``): True when it does, False when it did not or the pool
        is stopping. A ping, not the failed write: writes sent to a frozen database run
        when it wakes up, and repeating one (marking a job running counts an attempt)
        would count it again each time."""
        deadline = time.monotonic() + self.store_retry_seconds
        backoff = 0.25
        while not self._stopping.is_set() and time.monotonic() + backoff <= deadline:
            await self._sleep(backoff)
            backoff = min(backoff * 2, self.store_retry_max_backoff_seconds)
            try:
                await self.storage.ping()
                return True
            except Exception as exc:  # noqa: BLE001 - still away
                log.debug("database still away: %s", exc, extra=extra)
        return False

    async def _wait_for_docker(self, extra: dict) -> bool:
        """Wait, with a backoff, until the Docker daemon answers again (within
        ``store_retry_seconds``): True when it does, False when it did not or the pool is
        stopping. The heartbeat keeps the job this worker's meanwhile."""
        assert self.docker is not None
        log.warning("the Docker daemon does not answer; waiting for it", extra=extra)
        deadline = time.monotonic() + self.store_retry_seconds
        backoff = 0.25
        while not self._stopping.is_set() and time.monotonic() + backoff <= deadline:
            await self._sleep(backoff)
            backoff = min(backoff * 2, self.store_retry_max_backoff_seconds)
            if await self.docker.available(fresh=True):
                log.info("the Docker daemon answers again", extra=extra)
                return True
        return False

    async def _store(self, submission: Submission, result: GradeResult, extra: dict) -> bool:
        """Store the verdict and the progress it makes, trying again with a backoff while
        the database cannot be written (every step is idempotent). False when it still
        could not after ``store_retry_seconds``, or the pool is stopping."""
        deadline = time.monotonic() + self.store_retry_seconds
        backoff = 0.25
        while True:
            try:
                stored_now, stored = await self.storage.store_verdict(submission["_id"], result)
                if stored and stored.get("status") == "graded":
                    await self.storage.record_progress(stored)
                break
            except Exception as exc:  # noqa: BLE001 - PyMongo's errors, whichever they are
                if time.monotonic() + backoff > deadline or self._stopping.is_set():
                    log.warning("cannot store the verdict: %s; leaving the job", exc, extra=extra)
                    return False
                log.warning(
                    "cannot store the verdict yet (%s); trying again in %.1f s",
                    exc,
                    backoff,
                    extra=extra,
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.store_retry_max_backoff_seconds)
        if stored_now:
            metrics.VERDICTS.labels(result.get("verdict", "none")).inc()
            # After progress: whoever is woken by this sees their progress too. Before
            # the grading time, which no learner is waiting for.
            if self.notifier is not None:
                try:
                    await self.notifier.publish(submission["_id"], stored)
                except Exception as exc:  # noqa: BLE001 - long polls also re-check storage
                    log.warning("cannot notify: %s", exc, extra=extra)
            if result.get("grading_ms"):
                try:  # for admission's estimate of the wait
                    await self.queue.record_grading(float(result["grading_ms"]) / 1000)
                except Exception as exc:  # noqa: BLE001 - an estimate, not the verdict
                    log.warning("cannot record the grading time: %s", exc, extra=extra)
        return True

    async def _retry_or_fail(
        self, job: QueuedJob, submission: Submission, extra: dict, *, infra_fault: bool
    ) -> None:
        """Queue the job again after a backoff, or give up after the last attempt."""
        if submission["attempts"] >= self.max_infra_attempts:
            await self._finish(job, submission, self._gave_up(), extra)
            return
        if infra_fault:
            metrics.INFRA_RETRIES.inc()
        await self._sleep(min(2 ** submission["attempts"] * 0.5, 10))
        try:
            await self.storage.requeue(submission["_id"])
            await self.queue.enqueue(submission["_id"], lane=self.queue.lane_of(job.stream))
            await self.queue.ack(job)
        except Exception as exc:  # noqa: BLE001 - unacked: the reclaimer will retry it
            log.warning("cannot requeue: %s", exc, extra=extra)

    @staticmethod
    def _gave_up() -> GradeResult:
        return final_result("failed", "internal_error", GAVE_UP_MESSAGE, 0, 0)
