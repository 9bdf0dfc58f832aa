"""Admission control: what happens before a submission is accepted.

In order: dedup (the same code for the same problem while one is pending returns the
pending submission, and costs nothing), per-user rate limit and daily quota (Redis
counters, with overrides per group in config and per cohort in group properties), and
backpressure (a deep queue refuses new work with 503 + Retry-After rather than letting
waits grow without bound). Accepted jobs
are never dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import redis.asyncio as redis
from traitlets import Dict, Float, Integer, List, Unicode
from traitlets.config import LoggingConfigurable

from ..jobs.queue import JobQueue, Lane


@dataclass
class Refusal(Exception):
    status: int
    reason: str  # metric label: rate_limit | daily_quota | backpressure | sandboxes
    message: str
    retry_after_seconds: int


class Admission(LoggingConfigurable):
    rate_per_minute = Integer(
        10,
        help="Submissions one user may make per minute (0: no limit).",
    ).tag(config=True)

    daily_quota = Integer(
        300,
        help="Submissions one user may make per UTC day (0: no limit).",
    ).tag(config=True)

    group_limits = Dict(
        {},
        help="""Per-JupyterHub-group overrides, e.g.
        {"exam-room": {"rate_per_minute": 2, "daily_quota": 20},
         "teachers": {"rate_per_minute": 60, "daily_quota": 0}}.
        A user in several groups gets the most generous value of each limit.""",
    ).tag(config=True)

    max_queue_depth = Integer(
        200,
        help="""Jobs waiting or running in the normal lane above which new learner
        submissions get 503 with Retry-After. The priority lane is not limited.""",
    ).tag(config=True)

    max_wait_seconds = Float(
        5.0,
        help="""The longest a new learner submission should wait for its verdict: when
        the jobs waiting or running × the recent grading time ÷ the workers of every
        replica is above this, new learner submissions get 503 with that estimate as
        Retry-After (0: no such limit). The priority lane is not limited.""",
    ).tag(config=True)

    priority_groups = List(
        Unicode(),
        ["teachers"],
        help="JupyterHub groups whose submissions go to the priority lane (read first).",
    ).tag(config=True)

    batch_groups = List(
        Unicode(),
        ["graders"],
        help="""JupyterHub groups whose submissions go to the batch lane, read only when
        nothing else waits (batch grading through the service). Grader service accounts
        (JWT role ``grader``) go there too.""",
    ).tag(config=True)

    dedup_seconds = Integer(
        600,
        help="How long an identical pending submission is recognised as a repeat.",
    ).tag(config=True)

    key_prefix = Unicode("coderunner", help="Prefix of this service's Redis keys.").tag(config=True)

    def __init__(self, redis_client: redis.Redis, queue: JobQueue, **kwargs) -> None:
        super().__init__(**kwargs)
        self.redis = redis_client
        self.queue = queue
        # Whether sandboxes can be started now (the service sets it; None: not asked).
        self.sandboxes_available: Callable[[], Awaitable[bool]] | None = None

    # ------------------------------------------------------------------ the protocol
    async def admit(
        self,
        *,
        user: str,
        groups: list[str],
        lane: Lane,
        problem_id: str,
        code_hash: str,
        submission_id: str,
        pending: Callable[[str], Awaitable[str | None]],
        cohort_limits: Sequence[Mapping[str, int]] = (),
        learner_limits: Mapping[str, int] | None = None,
    ) -> str | None:
        """Admit one submission: dedup, then limits, then backpressure.

        Returns the id of an identical submission still pending (``pending(id)`` says
        whether an earlier id is still queued or running, and for this user), in which
        case nothing was counted. Otherwise the submission is admitted and counted, or a
        :class:`Refusal` is raised after undoing whatever was already counted. Redis
        faults propagate (the caller answers 503).
        """
        earlier = await self.claim_dedup(user, problem_id, code_hash, submission_id)
        counted = False
        try:
            if earlier is not None:
                if await pending(earlier):
                    return earlier
                await self.replace_dedup(user, problem_id, code_hash, earlier, submission_id)
            # a refusal here gives the quota back
            await self.check_limits(user, groups, cohort_limits, learner_limits)
            counted = True
            await self.check_backpressure(lane=lane)
        except BaseException:
            try:
                if counted:
                    await self.undo(user, problem_id, code_hash, submission_id)
                else:
                    await self.drop_dedup(user, problem_id, code_hash, submission_id)
            except redis.RedisError:
                pass  # the counts and the claim expire on their own
            raise
        return None

    async def undo(self, user: str, problem_id: str, code_hash: str, submission_id: str) -> None:
        """Give back an admitted submission that could not be stored or queued."""
        await self.release(user)
        await self.drop_dedup(user, problem_id, code_hash, submission_id)

    # ------------------------------------------------------------------ limits
    def limits_for(
        self,
        groups: list[str],
        cohort_limits: Sequence[Mapping[str, int]] = (),
        learner_limits: Mapping[str, int] | None = None,
    ) -> tuple[int, int]:
        """(rate per minute, daily quota) for a user in these groups; 0 means unlimited.

        ``cohort_limits`` are the limits of the user's cohorts (from the hub's group
        properties and the teacher dashboard); they count like ``group_limits``: the most
        generous value wins. ``learner_limits``, set for this one learner on the
        dashboard, win over everything (more or less room)."""
        rate, quota = self.rate_per_minute, self.daily_quota
        overrides = [self.group_limits[g] for g in groups if g in self.group_limits]
        overrides += [limits for limits in cohort_limits if limits]
        if overrides:
            rate = _most_generous([o.get("rate_per_minute", rate) for o in overrides])
            quota = _most_generous([o.get("daily_quota", quota) for o in overrides])
        if learner_limits:
            rate = learner_limits.get("rate_per_minute", rate)
            quota = learner_limits.get("daily_quota", quota)
        return rate, quota

    def lane_for(self, groups: list[str], *, role: str | None = None) -> Lane:
        """Teachers and service accounts: priority; graders: batch; learners: normal."""
        if role in ("teacher", "service") or any(g in self.priority_groups for g in groups):
            return "priority"
        if role == "grader" or any(g in self.batch_groups for g in groups):
            return "batch"
        return "normal"

    async def check_limits(
        self,
        user: str,
        groups: list[str],
        cohort_limits: Sequence[Mapping[str, int]] = (),
        learner_limits: Mapping[str, int] | None = None,
    ) -> None:
        """Count this submission against the user's limits; raise Refusal when over."""
        rate, quota = self.limits_for(groups, cohort_limits, learner_limits)
        now = time.time()
        minute = int(now // 60)
        day = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y%m%d")
        rate_key = f"{self.key_prefix}:rate:{user}:{minute}"
        quota_key = f"{self.key_prefix}:quota:{user}:{day}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(rate_key)
            pipe.expire(rate_key, 120)
            pipe.incr(quota_key)
            pipe.expire(quota_key, 2 * 86400)
            used_rate, _, used_quota, _ = await pipe.execute()
        if rate and used_rate > rate:
            await self.redis.decr(quota_key)  # a refused submission does not use quota
            wait = max(1, math.ceil((minute + 1) * 60 - now))
            raise Refusal(
                429,
                "rate_limit",
                f"Too many submissions: at most {rate} per minute. Try again in {wait} s.",
                wait,
            )
        if quota and used_quota > quota:
            await self.redis.decr(quota_key)
            midnight = (dt.datetime.fromtimestamp(now, dt.UTC) + dt.timedelta(days=1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            wait = max(1, math.ceil(midnight.timestamp() - now))
            raise Refusal(
                429,
                "daily_quota",
                f"Daily limit of {quota} submissions reached. It resets at "
                f"00:00 UTC, in {wait // 3600} h {wait % 3600 // 60} min.",
                wait,
            )

    async def release(self, user: str) -> None:
        """Give back the counts of a submission that was counted but not accepted."""
        now = time.time()
        day = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y%m%d")
        await self.redis.decr(f"{self.key_prefix}:quota:{user}:{day}")
        await self.redis.decr(f"{self.key_prefix}:rate:{user}:{int(now // 60)}")

    async def check_backpressure(self, *, lane: Lane) -> None:
        """No lane is accepted while sandboxes cannot be started (the Docker daemon is
        away). Beyond that only the normal lane is limited: teachers are few, and a batch
        waits its turn behind everyone without slowing anyone down."""
        if self.sandboxes_available is not None and not await self.sandboxes_available():
            raise Refusal(
                503,
                "sandboxes",
                "The grader cannot start its sandboxes right now. Your work is safe; "
                "send it again in about 10 s.",
                10,
            )
        if lane != "normal" or not self.max_queue_depth:
            return
        depth = await self.queue.depth(lane="normal")
        if depth >= self.max_queue_depth:
            wait = min(120, max(5, depth // 10))
            raise Refusal(
                503,
                "backpressure",
                f"The grader is busy ({depth} submissions waiting). Your work is "
                f"safe; submit again in about {wait} s.",
                wait,
            )
        if self.max_wait_seconds:
            estimate = await self.estimated_wait(depth + await self.queue.depth(lane="priority"))
            if estimate is not None and estimate > self.max_wait_seconds:
                wait = min(120, max(1, math.ceil(estimate)))
                raise Refusal(
                    503,
                    "backpressure",
                    f"The grader is very busy: your turn would come in about {wait} s. "
                    "Your work is safe; send it again then.",
                    wait,
                )

    async def estimated_wait(self, jobs: int) -> float | None:
        """Seconds until a new job would be graded: the jobs ahead × the recent grading
        time ÷ the workers of every replica (None while any of it is unknown).

        When every worker is busy it is also at least what the oldest job still waiting
        has waited (plus one grading): first come, first served, so the new job waits at
        least that long. On a machine whose CPU, not its workers, is the limit, workers
        grade more slowly together than one alone, and the formula alone read two to
        three times too low (measured by ``make loadtest``)."""
        per_job = await self.queue.recent_grading_seconds()
        workers = await self.queue.workers()
        if not per_job or not workers:
            return None
        estimate = jobs * per_job / workers
        if jobs >= workers:
            estimate = max(estimate, await self.queue.oldest_wait_seconds() + per_job)
        return estimate

    # ------------------------------------------------------------------ dedup
    def _dedup_key(self, user: str, problem_id: str, code_hash: str) -> str:
        return f"{self.key_prefix}:dedup:{user}:{problem_id}:{code_hash}"

    async def claim_dedup(
        self, user: str, problem_id: str, code_hash: str, submission_id: str
    ) -> str | None:
        """Reserve this (user, problem, code) for a new submission.

        Returns None when reserved, else the id of the earlier identical submission.
        """
        key = self._dedup_key(user, problem_id, code_hash)
        if await self.redis.set(key, submission_id, nx=True, ex=self.dedup_seconds):
            return None
        earlier = await self.redis.get(key)
        return None if earlier is None else str(earlier)

    async def replace_dedup(
        self, user: str, problem_id: str, code_hash: str, old_id: str, new_id: str
    ) -> bool:
        """Take over a reservation whose submission is finished (compare-and-set)."""
        key = self._dedup_key(user, problem_id, code_hash)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            if await pipe.get(key) != old_id:
                await pipe.unwatch()
                return False
            pipe.multi()
            pipe.set(key, new_id, ex=self.dedup_seconds)
            try:
                await pipe.execute()
            except redis.WatchError:
                return False
        return True

    async def drop_dedup(
        self, user: str, problem_id: str, code_hash: str, submission_id: str
    ) -> None:
        key = self._dedup_key(user, problem_id, code_hash)
        if await self.redis.get(key) == submission_id:
            await self.redis.delete(key)


def _most_generous(values: list[int]) -> int:
    return 0 if any(v == 0 for v in values) else max(values)
