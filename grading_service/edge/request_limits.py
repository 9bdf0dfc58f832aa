"""Per-user request limits on every authenticated endpoint, and a cap on long polls.

Submissions have their own, tighter limits (:mod:`.admission`); these protect the
service from one user's browser tab (or script) asking for problems, progress or a
verdict far more often than a person could read the answers.

The rate is a GCRA (a token bucket stored as one timestamp per user in Redis): a user
may make ``burst`` requests at once, then one every ``60 / per_minute`` seconds. It is
computed in a Lua script on Redis's own clock, so every replica of the service shares
one bucket per user and no two replicas disagree about the time.

Long polls (``GET /api/submissions/{id}?wait=N``) hold a connection each; a user may
hold ``long_polls_per_user`` at once, counted in a Redis sorted set whose entries carry
their own deadline, so a replica that dies mid-poll leaks nothing for long.

If Redis cannot answer, requests are let through (and counted in a metric): the limits
guard against one user crowding out the others, and refusing everybody because the
guard is down would do exactly that.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis.asyncio as redis
from traitlets import Integer, Unicode
from traitlets.config import LoggingConfigurable

from .. import metrics

log = logging.getLogger("coderunner.grader")

# KEYS[1]: the user's bucket. ARGV: interval (µs per request), tolerance (µs of burst).
# Returns 0 when the request may go, else the µs until it may.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return wait end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX',
           math.ceil((next_tat - now) / 1000) + 1000)
return 0
"""

# KEYS[1]: the user's open polls. ARGV: member, its deadline (ms), the cap.
# Returns 1 when the poll may start (and records it), else 0.
_ENTER_POLL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
"""


@dataclass
class TooManyRequests(Exception):
    """A refused request: 429 with Retry-After and words a child understands."""

    reason: str  # metric label: requests | long_polls
    message: str
    retry_after_seconds: int


class RequestLimits(LoggingConfigurable):
    per_minute = Integer(
        100,
        help="""Requests one learner may make per minute to any endpoint of the grading
        API, on average (0: no limit). Submissions also count against
        ``Admission.rate_per_minute``.""",
    ).tag(config=True)

    burst = Integer(
        40,
        help="""Requests a learner may make at once before the per-minute rate applies:
        a panel that loads problems, tracks, progress and assessments together sends
        about seven.""",
    ).tag(config=True)

    staff_per_minute = Integer(
        1200,
        help="""The same limit for teachers, admins, graders and service accounts (0: no
        limit): a dashboard of a large class, or batch grading with many jobs, asks
        more often than one learner.""",
    ).tag(config=True)

    long_polls_per_user = Integer(
        4,
        help="""Result requests that wait for a verdict (``?wait=N``) one user may hold
        open at once (0: no limit). Each holds a connection for up to
        ``GradingService.max_wait_seconds``.""",
    ).tag(config=True)

    key_prefix = Unicode("coderunner", help="Prefix of this service's Redis keys.").tag(config=True)

    def __init__(self, redis_client: redis.Redis, **kwargs) -> None:
        super().__init__(**kwargs)
        self.redis = redis_client
        self._gcra = redis_client.register_script(_GCRA)
        self._enter_poll = redis_client.register_script(_ENTER_POLL)

    async def check(self, user: str, *, staff: bool) -> None:
        """Count one request of ``user``; raise :class:`TooManyRequests` when over."""
        rate = self.staff_per_minute if staff else self.per_minute
        if rate <= 0:
            return
        interval = 60_000_000 // rate  # µs
        tolerance = interval * max(self.burst - 1, 0)
        try:
            wait_us = int(
                await self._gcra(keys=[f"{self.key_prefix}:req:{user}"], args=[interval, tolerance])
            )
        except redis.RedisError as exc:
            metrics.LIMITER_UNAVAILABLE.inc()
            log.warning("request limits skipped, Redis did not answer: %s", exc)
            return
        if wait_us > 0:
            wait = max(1, math.ceil(wait_us / 1_000_000))
            metrics.REQUEST_REFUSALS.labels("requests").inc()
            raise TooManyRequests(
                "requests",
                f"Slow down a little: that was a lot of clicks in a short time. "
                f"Try again in {wait} s.",
                wait,
            )

    @asynccontextmanager
    async def long_poll(self, user: str, seconds: float) -> AsyncIterator[None]:
        """Hold one of ``user``'s long-poll places for the block, or refuse."""
        if self.long_polls_per_user <= 0 or seconds <= 0:
            yield
            return
        key = f"{self.key_prefix}:polls:{user}"
        member = uuid.uuid4().hex
        # The entry outlives the poll a little, in case this replica dies holding it.
        lifetime_ms = int(seconds * 1000) + 5_000
        try:
            entered = await self._enter_poll(
                keys=[key], args=[member, lifetime_ms, self.long_polls_per_user]
            )
        except redis.RedisError as exc:
            metrics.LIMITER_UNAVAILABLE.inc()
            log.warning("long-poll cap skipped, Redis did not answer: %s", exc)
            yield
            return
        if not int(entered):
            metrics.REQUEST_REFUSALS.labels("long_polls").inc()
            raise TooManyRequests(
                "long_polls",
                f"You are already waiting for {self.long_polls_per_user} results. "
                "Wait for one of them, then try again.",
                2,
            )
        try:
            yield
        finally:
            try:
                await self.redis.zrem(key, member)
            except redis.RedisError:
                pass  # the entry expires on its own
