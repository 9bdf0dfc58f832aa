"""The job queue: two Redis streams (a priority lane and the normal lane) read by one
consumer group.

A job is acknowledged only after its verdict is stored. A job whose worker died stays
pending and is claimed again by another worker once it has been idle longer than the
visibility timeout. Teacher and grader jobs go to the priority lane, which workers read
first, so they never wait behind a class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from redis.exceptions import ResponseError


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
        self.group = group

    @property
    def streams(self) -> tuple[str, str]:
        return (self.priority_stream, self.stream)

    async def ensure_group(self) -> None:
        for stream in self.streams:
            try:
                await self.redis.xgroup_create(stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def enqueue(self, submission_id: str, *, priority: bool = False) -> str:
        stream = self.priority_stream if priority else self.stream
        return str(await self.redis.xadd(stream, {"submission_id": submission_id}))

    async def read(self, consumer: str, *, block_ms: int = 2000) -> list[QueuedJob]:
        """New jobs for this consumer, priority lane first."""
        reply: Any = await self.redis.xreadgroup(
            self.group, consumer, {s: ">" for s in self.streams}, count=1, block=block_ms
        )
        jobs = [
            QueuedJob(stream, mid, fields["submission_id"])
            for stream, messages in reply or []
            for mid, fields in messages
            if fields
        ]
        return sorted(jobs, key=lambda j: j.stream != self.priority_stream)

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
        await self.redis.xack(job.stream, self.group, job.message_id)

    async def depth(self, *, priority: bool | None = None) -> int:
        """Jobs waiting to be read plus jobs being worked on (one lane or both)."""
        streams = (
            self.streams
            if priority is None
            else ((self.priority_stream,) if priority else (self.stream,))
        )
        total = 0
        for stream in streams:
            try:
                groups = await self.redis.xinfo_groups(stream)
            except ResponseError:
                continue  # no such stream yet
            for group in groups:
                if group["name"] == self.group:
                    total += int(group.get("lag") or 0) + int(group.get("pending") or 0)
        return total
