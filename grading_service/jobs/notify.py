"""Verdict notifications, so clients can long-poll a submission instead of hammering it.

Workers publish a submission id on a Redis channel once its verdict is stored; every
service process listens and wakes the requests waiting for that id, wherever the job
was graded. A missed message only costs a little latency: waiters re-read MongoDB at
least every ``recheck_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import redis.asyncio as redis
from traitlets import Float
from traitlets.config import LoggingConfigurable

log = logging.getLogger("coderunner.notify")


class VerdictNotifier(LoggingConfigurable):
    recheck_seconds = Float(
        2.0,
        help="""Longest a long-polling request waits before it reads its submission from
        MongoDB again, even without a notification. Only matters when a notification is
        lost (Redis restarting); lower it for quicker recovery at the cost of more reads.""",
    ).tag(config=True)

    def __init__(self, client: redis.Redis, channel: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.redis = client
        self.channel = channel
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def publish(self, submission_id: str) -> None:
        try:
            await self.redis.publish(self.channel, submission_id)
        except redis.RedisError as exc:  # waiters fall back to re-reading MongoDB
            log.warning("cannot publish a verdict notification: %s", exc)

    async def wait(self, submission_id: str, seconds: float) -> None:
        """Return when this submission may have a verdict, or after ``seconds``."""
        event = asyncio.Event()
        self._waiters.setdefault(submission_id, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), min(seconds, self.recheck_seconds))
        except TimeoutError:
            pass
        finally:
            waiting = self._waiters.get(submission_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[submission_id]

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    for event in self._waiters.get(str(message.get("data")), ()):
                        event.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis gone: resubscribe later
                log.warning("verdict notifications interrupted: %s", exc)
                await asyncio.sleep(1.0)
