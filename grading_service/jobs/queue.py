"""The job queue: three Redis streams (lanes) read by one consumer group.

- ``priority``: teachers' own submissions, read first, so they never wait behind a class;
- ``normal``: learners;
- ``batch``: batch grading (``coderunner grade --url``), read only when the other two
  lanes have nothing waiting, so a 200-notebook run never slows a lesson down.

A job is acknowledged only after its verdict is stored, and deleted from its stream in
the same transaction, so a stream holds only work waiting or in flight: its length (and
Redis's memory) stays bounded by that, not by every submission ever made. A job whose
worker died stays pending and is claimed again by another worker once it has been idle
longer than the visibility timeout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import redis.asyncio as redis
from redis.exceptions import ResponseError

Lane = Literal["priority", "normal", "batch"]
LANES: tuple[Lane, ...] = ("priority", "normal", "batch")


@dataclass(frozen=True)
class QueuedJob:
    stream: str
    message_id: str
    submission_id: str


class JobQueue:
    def __init__(
        self, client: redis.Redis, *, stream: str = "coderunner:jobs", group: str = "graders"
    ) -> None:
        self.redis = client
        self.stream = stream
        self.priority_stream = f"{stream}:priority"
        self.batch_stream = f"{stream}:batch"
        self.group = group
        self.lane_streams: dict[Lane, str] = {
            "priority": self.priority_stream,
            "normal": self.stream,
            "batch": self.batch_stream,
        }

    @property
    def streams(self) -> tuple[str, ...]:
        """Every lane's stream, in the order they are read."""
        return tuple(self.lane_streams[lane] for lane in LANES)

    def lane_of(self, stream: str) -> Lane:
        return next(lane for lane, s in self.lane_streams.items() if s == stream)

    async def ensure_group(self) -> None:
        for stream in self.streams:
            try:
                await self.redis.xgroup_create(stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def enqueue(
        self, submission_id: str, *, priority: bool = False, lane: Lane | None = None
    ) -> str:
        stream = self.lane_streams[lane or ("priority" if priority else "normal")]
        return str(await self.redis.xadd(stream, {"submission_id": submission_id}))

    async def read(self, consumer: str, *, block_ms: int = 2000) -> list[QueuedJob]:
        """New jobs for this consumer: the priority and normal lanes first; the batch
        lane only when both are empty; then wait up to ``block_ms`` for any lane."""
        live = (self.priority_stream, self.stream)
        jobs = await self._read(consumer, live, None)
        if not jobs:
            jobs = await self._read(consumer, (self.batch_stream,), None)
        if not jobs:
            jobs = await self._read(consumer, self.streams, block_ms)
        return sorted(jobs, key=lambda j: self.streams.index(j.stream))

    async def _read(
        self, consumer: str, streams: tuple[str, ...], block_ms: int | None
    ) -> list[QueuedJob]:
        reply: Any = await self.redis.xreadgroup(
            self.group, consumer, {s: ">" for s in streams}, count=1, block=block_ms
        )
        return [
            QueuedJob(stream, mid, fields["submission_id"])
            for stream, messages in reply or []
            for mid, fields in messages
            if fields
        ]

    async def claim_stale(self, consumer: str, min_idle_ms: int) -> list[QueuedJob]:
        """Jobs left pending by a worker that stopped, now owned by ``consumer``."""
        jobs = []
        for stream in self.streams:
            reply = await self.redis.xautoclaim(
                stream, self.group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=10
            )
            messages = reply[1] if reply else []
            jobs += [
                QueuedJob(stream, mid, fields["submission_id"])
                for mid, fields in messages
                if fields
            ]
        return jobs

    async def touch(self, job: QueuedJob, consumer: str) -> None:
        """Reset a job's idle time: the worker holding it is alive (a heartbeat)."""
        await self.redis.xclaim(
            job.stream,
            self.group,
            consumer,
            min_idle_time=0,
            message_ids=[job.message_id],
            justid=True,
        )

    async def ack(self, job: QueuedJob) -> None:
        """Done: acknowledged and removed from its stream, in one transaction."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(job.stream, self.group, job.message_id)
            pipe.xdel(job.stream, job.message_id)
            await pipe.execute()

    # ------------------------------------------------------------------ load estimates
    async def record_grading(self, seconds: float, *, keep: int = 50) -> None:
        """Remember how long a job took (the last ``keep`` jobs, for every replica)."""
        key = f"{self.stream}:grading-seconds"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, f"{seconds:.3f}")
            pipe.ltrim(key, 0, keep - 1)
            await pipe.execute()

    async def recent_grading_seconds(self) -> float | None:
        """The mean time of the recent jobs, or None before the first."""
        values = []
        for entry in await self.redis.lrange(f"{self.stream}:grading-seconds", 0, -1):
            try:  # "seconds", or "seconds:..." as another version may have written it
                values.append(float(str(entry).split(":")[0]))
            except ValueError:
                continue  # not ours to judge: an estimate must never fail a submission
        return sum(values) / len(values) if values else None

    async def oldest_wait_seconds(self, lanes: tuple[Lane, ...] = ("priority", "normal")) -> float:
        """How long the oldest job not yet read by any worker has been waiting, in these
        lanes (0 when none waits). Entry ids are the times Redis added them."""
        oldest = 0.0
        now_s, now_us = await self.redis.time()
        now = now_s + now_us / 1e6
        for lane in lanes:
            stream = self.lane_streams[lane]
            try:
                groups = await self.redis.xinfo_groups(stream)
            except ResponseError:
                continue  # no such stream yet
            last = next(
                (g.get("last-delivered-id") for g in groups if g["name"] == self.group), None
            )
            if last is None:
                continue
            entries = await self.redis.xrange(stream, min=f"({last}", count=1)
            if entries:
                added = int(str(entries[0][0]).split("-")[0]) / 1000
                oldest = max(oldest, now - added)
        return oldest

    async def announce_workers(self, name: str, count: int, ttl_seconds: float) -> None:
        """Say that ``name`` grades ``count`` jobs at a time, for the next ``ttl_seconds``."""
        await self.redis.hset(
            f"{self.stream}:workers", name, f"{count}:{time.time() + ttl_seconds}"
        )

    async def workers(self) -> int:
        """Jobs graded at a time by every replica that announced itself lately."""
        key = f"{self.stream}:workers"
        total, now = 0, time.time()
        for name, value in (await self.redis.hgetall(key)).items():
            count, _, until = str(value).partition(":")
            if float(until or 0) < now:
                await self.redis.hdel(key, name)
            else:
                total += int(count)
        return total

    async def depth(self, *, priority: bool | None = None, lane: Lane | None = None) -> int:
        """Jobs waiting to be read plus jobs being worked on: in one lane (``lane``, or
        ``priority`` True/False for the priority/normal lane), or in all of them."""
        if lane is None and priority is not None:
            lane = "priority" if priority else "normal"
        streams = self.streams if lane is None else (self.lane_streams[lane],)
        total = 0
        for stream in streams:
            try:
                groups = await self.redis.xinfo_groups(stream)
            except ResponseError:
                continue  # no such stream yet
            for group in groups:
                if group["name"] != self.group:
                    continue
                pending = int(group.get("pending") or 0)
                lag = group.get("lag")
                if lag is None:  # Redis could not tell: every entry left is unacked work
                    lag = max(int(await self.redis.xlen(stream)) - pending, 0)
                total += int(lag) + pending
        return total
