"""Per-user request limits on every endpoint and the long-poll cap (edge/request_limits.py):
the bucket on the real Redis, then through the real service."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import redis.asyncio as redis

from grading_service import metrics
from grading_service.edge.request_limits import RequestLimits, TooManyRequests
from hub_config.devstack import free_port

from ..api import GOOD_ADD, call


def limits(client: redis.Redis, **settings) -> RequestLimits:
    return RequestLimits(client, key_prefix=f"t{secrets.token_hex(4)}", **settings)


async def test_a_burst_then_one_request_per_interval(redis_client) -> None:
    limiter = limits(redis_client, per_minute=60, burst=5)
    for _ in range(5):
        await limiter.check("alice", staff=False)
    with pytest.raises(TooManyRequests) as refused:
        await limiter.check("alice", staff=False)
    assert refused.value.reason == "requests"
    assert refused.value.retry_after_seconds == 1  # one request a second
    assert "Try again in 1 s" in refused.value.message
    await asyncio.sleep(1.1)
    await limiter.check("alice", staff=False)  # the bucket refilled by one


async def test_limits_are_per_user_and_staff_have_their_own(redis_client) -> None:
    limiter = limits(redis_client, per_minute=6, burst=1, staff_per_minute=600)
    await limiter.check("alice", staff=False)
    with pytest.raises(TooManyRequests) as refused:
        await limiter.check("alice", staff=False)
    assert 9 <= refused.value.retry_after_seconds <= 10
    await limiter.check("bob", staff=False)  # another learner: a bucket of their own
    await limiter.check("teacher", staff=True)
    await asyncio.sleep(0.15)
    await limiter.check("teacher", staff=True)  # 600/min: one every 0.1 s


async def test_zero_means_no_limit(redis_client) -> None:
    limiter = limits(redis_client, per_minute=0, burst=1)
    for _ in range(50):
        await limiter.check("alice", staff=False)


async def test_long_polls_are_capped_and_their_places_given_back(redis_client) -> None:
    limiter = limits(redis_client, long_polls_per_user=2)
    async with limiter.long_poll("alice", 30), limiter.long_poll("alice", 30):
        with pytest.raises(TooManyRequests) as refused:
            async with limiter.long_poll("alice", 30):
                pass
        assert refused.value.reason == "long_polls"
        assert refused.value.retry_after_seconds >= 1
        async with limiter.long_poll("bob", 30):  # per user
            pass
        async with limiter.long_poll("alice", 0):  # no wait: not a long poll
            pass
    async with limiter.long_poll("alice", 30), limiter.long_poll("alice", 30):
        pass  # both places came back when the polls ended


async def test_a_lost_poll_place_expires(redis_client) -> None:
    """A replica that dies mid-poll never gives its place back; the place lapses a few
    seconds after the poll's own deadline."""
    limiter = limits(redis_client, long_polls_per_user=1)
    key = f"{limiter.key_prefix}:polls:alice"
    seconds, micros = await redis_client.time()
    now_ms = seconds * 1000 + micros // 1000
    await redis_client.zadd(key, {"dead-replica": now_ms - 1})  # its deadline passed
    async with limiter.long_poll("alice", 30):
        pass


async def test_redis_down_lets_requests_through() -> None:
    """The limits guard one user against another; refusing everybody because Redis is
    away would be worse, so the request goes on and a metric counts it."""
    client = redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    limiter = limits(client, per_minute=1, burst=1)
    before = metrics.LIMITER_UNAVAILABLE._value.get()
    await limiter.check("alice", staff=False)
    await limiter.check("alice", staff=False)
    async with limiter.long_poll("alice", 30):
        pass
    assert metrics.LIMITER_UNAVAILABLE._value.get() == before + 3
    await client.aclose()


# ---------------------------------------------------------------- through the service
async def test_every_endpoint_is_limited_with_a_429_a_child_understands(make_service) -> None:
    app = await make_service(
        RequestLimits__per_minute=6, RequestLimits__burst=3, WorkerPool__concurrency=0
    )
    for path in ("/api/problems", "/api/tracks", "/api/progress"):
        assert (await call(app, "GET", path))[0] == 200
    code, body, headers = await call(app, "GET", "/api/problems/add-two")
    assert code == 429
    assert body["reason"] == "requests"
    assert "Slow down" in body["message"] and "429" not in body["message"]
    assert 1 <= int(headers["Retry-After"]) <= 10
    assert body["retry_after"] == int(headers["Retry-After"])
    assert (await call(app, "GET", "/api/problems", token="bob-token"))[0] == 200
    assert (await call(app, "GET", "/health", token=None))[0] == 200  # probes: free


async def test_a_refused_submission_is_not_stored(make_service) -> None:
    app = await make_service(RequestLimits__burst=1, WorkerPool__concurrency=0)
    assert (await call(app, "GET", "/api/progress"))[0] == 200
    code, _, _ = await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    assert code == 429
    assert await app.storage.submissions.count_documents({"user": "alice"}) == 0


async def test_concurrent_long_polls_are_capped(make_service) -> None:
    app = await make_service(RequestLimits__long_polls_per_user=2, WorkerPool__concurrency=0)
    code, accepted, _ = await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    assert code == 202
    path = f"/api/submissions/{accepted['id']}?wait=3"
    polls = [asyncio.create_task(call(app, "GET", path)) for _ in range(2)]
    await asyncio.sleep(0.5)  # both are waiting now
    code, body, headers = await call(app, "GET", path)
    assert code == 429 and body["reason"] == "long_polls"
    assert int(headers["Retry-After"]) >= 1
    assert (await call(app, "GET", f"/api/submissions/{accepted['id']}"))[0] == 200  # no wait
    assert [result[0] for result in await asyncio.gather(*polls)] == [200, 200]
    assert (await call(app, "GET", f"/api/submissions/{accepted['id']}?wait=0.1"))[0] == 200
