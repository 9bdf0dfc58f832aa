"""Verdict notifications (jobs/notify.py) on a real Redis server: a long-polling request
wakes as soon as any service process publishes its submission's verdict, and otherwise
after its wait (or the recheck interval, whichever is shorter)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time

import pytest
import redis.asyncio as redis

from grading_service.jobs import notify
from grading_service.jobs.notify import VerdictNotifier


async def subscribed(client: redis.Redis, channel: str) -> None:
    """Returns once a listener is subscribed to ``channel`` (within 5 s)."""
    deadline = time.monotonic() + 5
    while dict(await client.pubsub_numsub(channel)).get(channel, 0) < 1:
        assert time.monotonic() < deadline, f"nobody subscribed to {channel}"
        await asyncio.sleep(0.02)


@pytest.fixture
async def notifier(redis_client):
    """A service process's notifier, listening."""
    notifier = VerdictNotifier(
        redis_client, f"t{secrets.token_hex(4)}:verdicts", recheck_seconds=30.0
    )
    await notifier.start()
    await subscribed(redis_client, notifier.channel)
    yield notifier
    await notifier.stop()


@pytest.fixture
async def other_process(redis_server, notifier):
    """The notifier of another service process (its own Redis connection), which only
    publishes."""
    client = redis.from_url(redis_server.redis_url, decode_responses=True)
    yield VerdictNotifier(client, notifier.channel)
    await client.aclose()


async def timed(awaitable) -> float:
    started = time.monotonic()
    await awaitable
    return time.monotonic() - started


async def test_a_waiter_wakes_when_another_process_publishes_its_verdict(
    notifier: VerdictNotifier, other_process: VerdictNotifier
) -> None:
    waiting = asyncio.create_task(timed(notifier.wait("s1", 20)))
    await asyncio.sleep(0.1)
    await other_process.publish("s1")
    assert await asyncio.wait_for(waiting, 5) < 3


async def test_every_waiter_of_the_submission_wakes(
    notifier: VerdictNotifier, other_process: VerdictNotifier
) -> None:
    waiting = [asyncio.create_task(timed(notifier.wait("s1", 20))) for _ in range(3)]
    await asyncio.sleep(0.1)
    await other_process.publish("s1")
    assert all(seconds < 3 for seconds in await asyncio.wait_for(asyncio.gather(*waiting), 5))


async def test_a_waiter_without_a_notification_returns_after_its_wait(
    notifier: VerdictNotifier,
) -> None:
    assert 0.3 <= await timed(notifier.wait("s1", 0.3)) < 2


async def test_a_verdict_of_another_submission_does_not_wake_a_waiter(
    notifier: VerdictNotifier, other_process: VerdictNotifier
) -> None:
    waiting = asyncio.create_task(timed(notifier.wait("s1", 1.0)))
    await asyncio.sleep(0.1)
    await other_process.publish("s2")
    assert await waiting >= 1.0


async def test_no_wait_is_longer_than_recheck_seconds(notifier: VerdictNotifier) -> None:
    notifier.recheck_seconds = 0.3  # a lost notification costs at most this much
    assert 0.3 <= await timed(notifier.wait("s1", 20)) < 2


async def test_publishing_without_redis_is_only_logged(log_records) -> None:
    client = redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        with log_records("coderunner.notify") as logged:
            await VerdictNotifier(client, "verdicts").publish("s1")
    finally:
        await client.aclose()
    assert any("cannot publish" in message for message in logged.messages)


async def test_the_stored_verdict_is_handed_once_to_this_process_only(
    notifier: VerdictNotifier, other_process: VerdictNotifier
) -> None:
    stored = {"_id": "s1", "status": "graded", "verdict": "passed"}
    waiting = asyncio.create_task(timed(notifier.wait("s1", 20)))
    await asyncio.sleep(0.1)
    await notifier.publish("s1", stored)  # type: ignore[arg-type]
    assert await asyncio.wait_for(waiting, 5) < 3
    assert other_process.take_recent("s1") is None  # another process reads MongoDB
    assert notifier.take_recent("s1") is stored
    assert notifier.take_recent("s1") is None  # a second reader reads MongoDB too


async def test_a_kept_verdict_expires_and_only_the_newest_are_kept(
    notifier: VerdictNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    await notifier.publish("nobody", {"_id": "nobody"})  # type: ignore[arg-type]
    assert notifier.take_recent("nobody") is None  # no request of this process waits
    with contextlib.ExitStack() as waiting:
        for sid in ("old", "a", "b", "c"):
            waiting.enter_context(notifier.watching(sid))
        monkeypatch.setattr(notify, "RECENT_SECONDS", 0.0)
        await notifier.publish("old", {"_id": "old"})  # type: ignore[arg-type]
        await asyncio.sleep(0.01)
        assert notifier.take_recent("old") is None
        monkeypatch.setattr(notify, "RECENT_SECONDS", 60.0)
        monkeypatch.setattr(notify, "RECENT_VERDICTS", 2)
        for sid in ("a", "b", "c"):
            await notifier.publish(sid, {"_id": sid})  # type: ignore[arg-type]
        kept = [notifier.take_recent(sid) for sid in ("a", "b", "c")]
    assert kept == [None, {"_id": "b"}, {"_id": "c"}]


async def test_a_notification_between_reading_and_waiting_is_not_missed(
    notifier: VerdictNotifier, other_process: VerdictNotifier
) -> None:
    """A request watches before it reads the submission: a verdict published while it
    reads (still running) wakes its wait at once, not after recheck_seconds."""
    with notifier.watching("s1") as verdict:
        await other_process.publish("s1")  # while the request would be reading
        for _ in range(100):  # the listener gets it
            if verdict.is_set():
                break
            await asyncio.sleep(0.02)
        assert await timed(notifier.wait_for(verdict, 20)) < 0.5
        assert not verdict.is_set()  # cleared for the next wait
    assert "s1" not in notifier._waiters
