"""The job queue: a Redis stream read by a consumer group.

A job is acknowledged only after its verdict is stored. A job whose worker died stays
pending and is claimed again by another worker once it has been idle longer than the
visibility timeout.
"""

from __future__ import annotations

import redis.asyncio as redis
from redis.exceptions import ResponseError


class JobQueue:
    def __init__(self, client: redis.Redis, *, stream: str = "coderunner:jobs",
                 group: str = "graders") -> None:
        self.redis = client
        self.stream = stream
        self.group = group

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def enqueue(self, submission_id: str) -> str:
        return await self.redis.xadd(self.stream, {"submission_id": submission_id})

    async def read(self, consumer: str, *, block_ms: int = 2000) -> list[tuple[str, str]]:
        """New jobs for this consumer: ``[(message_id, submission_id)]``."""
        reply = await self.redis.xreadgroup(self.group, consumer, {self.stream: ">"},
                                            count=1, block=block_ms)
        return [(mid, fields["submission_id"]) for _, messages in reply or []
                for mid, fields in messages]

    async def claim_stale(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str]]:
        """Jobs left pending by a worker that stopped, now owned by ``consumer``."""
        reply = await self.redis.xautoclaim(self.stream, self.group, consumer,
                                            min_idle_time=min_idle_ms, start_id="0-0", count=10)
        messages = reply[1] if reply else []
        return [(mid, fields["submission_id"]) for mid, fields in messages if fields]

    async def ack(self, message_id: str) -> None:
        await self.redis.xack(self.stream, self.group, message_id)

    async def depth(self) -> int:
        """Jobs waiting to be read plus jobs being worked on."""
        info = await self.redis.xinfo_groups(self.stream)
        for group in info:
            if group["name"] == self.group:
                return int(group.get("lag") or 0) + int(group.get("pending") or 0)
        return 0
