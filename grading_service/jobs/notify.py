"""Verdict notifications, so clients can long-poll a submission instead of hammering it.

Workers publish a submission id on a Redis channel once its verdict is stored; every
service process listens and wakes the requests waiting for that id, wherever the job
was graded. A missed message only costs a little latency: waiters re-read MongoDB at
least every ``recheck_seconds``.

The process whose worker stored a verdict also hands that document to its own requests
waiting for it, so that they answer without reading it back; requests in other
processes read it from MongoDB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import redis.asyncio as redis
from traitlets import Float
from traitlets.config import LoggingConfigurable

if TYPE_CHECKING:
    from ..records import Submission

log = logging.getLogger("coderunner.notify")

# Stored verdicts kept for this process's woken requests: at most how many, how long.
RECENT_VERDICTS = 256
RECENT_SECONDS = 10.0


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
        self._recent: OrderedDict[str, tuple[float, Submission]] = OrderedDict()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def publish(self, submission_id: str, stored: Submission | None = None) -> None:
        """Wake every request waiting for this submission; ``stored``, the document
        just stored, is kept for this process's own (``take_recent``), if any wait."""
        if stored is not None and submission_id in self._waiters:
            self._remember(submission_id, stored)
        try:
            await self.redis.publish(self.channel, submission_id)
        except redis.RedisError as exc:  # waiters fall back to re-reading MongoDB
            log.warning("cannot publish a verdict notification: %s", exc)

    def _remember(self, submission_id: str, stored: Submission) -> None:
        now = time.monotonic()
        self._recent[submission_id] = (now + RECENT_SECONDS, stored)
        self._recent.move_to_end(submission_id)
        # Oldest first: drop what expired (a request that gave up) and what is too many.
        while self._recent and (
            len(self._recent) > RECENT_VERDICTS or next(iter(self._recent.values()))[0] < now
        ):
            self._recent.popitem(last=False)

    def take_recent(self, submission_id: str) -> Submission | None:
        """The document this process's worker stored for this submission moments ago,
        once (a second reader, or one after ``RECENT_SECONDS``, reads MongoDB)."""
        kept = self._recent.pop(submission_id, None)
        if kept is None or kept[0] < time.monotonic():
            return None
        return kept[1]

    @contextlib.contextmanager
    def watching(self, submission_id: str) -> Iterator[asyncio.Event]:
        """An event set by every notification for this submission while inside, so a
        request that registers before it reads the submission misses none (one sent
        between its read and its wait would otherwise cost it ``recheck_seconds``)."""
        event = asyncio.Event()
        self._waiters.setdefault(submission_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiters.get(submission_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[submission_id]

    async def wait_for(self, event: asyncio.Event, seconds: float) -> None:
        """Until ``event`` (from ``watching``) is set, or after ``seconds`` (at most
        ``recheck_seconds``); then it is cleared for the next wait."""
        try:
            await asyncio.wait_for(event.wait(), min(seconds, self.recheck_seconds))
        except TimeoutError:
            pass
        event.clear()

    async def wait(self, submission_id: str, seconds: float) -> None:
        """Return when this submission may have a verdict, or after ``seconds``."""
        with self.watching(submission_id) as event:
            await self.wait_for(event, seconds)

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
