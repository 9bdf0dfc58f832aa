"""Admission control (edge/admission.py) through the real service: rate limits, quotas
with group overrides, dedup, backpressure, the priority lane, and Redis going away and
coming back."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest

from grading_service.edge.admission import Admission
from hub_config.devstack import free_port

from ..api import GOOD_ADD, call


def variant(n: int) -> str:
    return GOOD_ADD + f"# attempt {n}\n"


async def submit(app, n: int, token: str = "alice-token"):
    return await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": variant(n)}, token=token
    )


async def test_rate_limit_answers_429_with_retry_after(make_service) -> None:
    app = await make_service(Admission__rate_per_minute=2, WorkerPool__concurrency=0)
    assert (await submit(app, 1))[0] == 202
    assert (await submit(app, 2))[0] == 202
    code, body, headers = await submit(app, 3)
    assert code == 429
    assert "per minute" in body["message"]
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert body["reason"] == "rate_limit"
    assert body["retry_after"] == int(headers["Retry-After"])
    assert (await submit(app, 4, token="bob-token"))[0] == 202  # per user


async def test_daily_quota_and_group_overrides(make_service) -> None:
    app = await make_service(
        Admission__daily_quota=5,
        Admission__group_limits={"class-a": {"daily_quota": 1}, "teachers": {"daily_quota": 0}},
        WorkerPool__concurrency=0,
    )
    assert (await submit(app, 1))[0] == 202
    code, body, headers = await submit(app, 2)
    assert code == 429 and "Daily limit of 1" in body["message"] and "00:00 UTC" in body["message"]
    assert int(headers["Retry-After"]) > 0
    for n in range(3):  # teachers: unlimited
        assert (await submit(app, 10 + n, token="teacher-token"))[0] == 202


async def test_identical_pending_submission_returns_the_pending_one(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0)
    code, first, _ = await submit(app, 1)
    code2, again, _ = await submit(app, 1)
    assert code == code2 == 202
    assert again["id"] == first["id"] and again["duplicate"] is True
    _, other, _ = await submit(app, 2)
    assert other["id"] != first["id"]
    assert await app.queue.depth() == 2  # the repeat added no job


async def test_backpressure_refuses_learners_but_keeps_accepted_jobs(
    make_service, verdict_of
) -> None:
    stalled = await make_service(Admission__max_queue_depth=2, WorkerPool__concurrency=0)
    accepted = [(await submit(stalled, n))[1]["id"] for n in range(2)]
    code, body, headers = await submit(stalled, 3)
    assert code == 503 and "busy" in body["message"] and int(headers["Retry-After"]) >= 5
    code, teacher, _ = await submit(stalled, 4, token="teacher-token")
    assert code == 202  # the priority lane is not subject to backpressure
    # A worker that comes up later grades every accepted job.
    await make_service(mongodb_database=stalled.mongodb_database, queue_stream=stalled.queue_stream)
    for sid in accepted:
        assert (await verdict_of(stalled.base, sid, "alice-token"))["verdict"] == "passed"
    assert (await verdict_of(stalled.base, teacher["id"], "teacher-token"))["status"] == "graded"


async def test_teacher_jobs_go_to_the_priority_lane(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0)
    await submit(app, 1)
    await submit(app, 2, token="teacher-token")
    assert await app.queue.depth(priority=True) == 1
    assert await app.queue.depth(priority=False) == 1
    jobs = await app.queue.read("probe", block_ms=10)
    assert jobs[0].stream == app.queue.priority_stream


class RedisServer:
    """A private redis-server this test may stop and start again (same port, same AOF)."""

    def __init__(self, directory: Path) -> None:
        self.dir, self.port, self.proc = directory, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            != "PONG"
        ):
            assert time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path: Path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.proc.poll() is None:
        server.stop()


async def test_redis_down_is_a_clear_503_and_queued_jobs_survive_a_restart(
    make_service, private_redis, verdict_of
) -> None:
    app = await make_service(redis_url=private_redis.url, WorkerPool__concurrency=0)
    queued = [(await submit(app, n))[1]["id"] for n in range(2)]
    private_redis.stop()
    code, body, headers = await submit(app, 3)
    assert code == 503 and "queue unavailable" in body["message"]
    assert headers["Retry-After"]
    private_redis.start()
    await asyncio.sleep(0.2)
    assert (await submit(app, 4))[0] == 202  # the service reconnects by itself
    await make_service(
        redis_url=private_redis.url,
        mongodb_database=app.mongodb_database,
        queue_stream=app.queue_stream,
    )
    for sid in queued:
        assert (await verdict_of(app.base, sid, "alice-token"))["verdict"] == "passed"


def test_lanes_by_role_and_group() -> None:
    admission = Admission(None, None)  # type: ignore[arg-type] # lanes need neither
    assert admission.lane_for(["class-a"]) == "normal"
    assert admission.lane_for(["teachers"]) == "priority"
    assert admission.lane_for([], role="teacher") == "priority"
    assert admission.lane_for([], role="service") == "priority"
    assert admission.lane_for(["graders"]) == "batch"
    assert admission.lane_for([], role="grader") == "batch"
    # a teacher who also grades gets the faster lane
    assert admission.lane_for(["teachers", "graders"]) == "priority"


def test_a_learners_own_limits_win_over_their_cohorts() -> None:
    admission = Admission(None, None, rate_per_minute=10, daily_quota=300)  # type: ignore[arg-type]
    cohorts = [{"rate_per_minute": 30}, {"rate_per_minute": 20, "daily_quota": 0}]
    assert admission.limits_for(["class-a"], cohorts) == (30, 0)  # most generous
    # a teacher slows one learner down, whatever their cohorts allow
    assert admission.limits_for(["class-a"], cohorts, {"rate_per_minute": 1}) == (1, 0)
    assert admission.limits_for([], (), {"daily_quota": 5}) == (10, 5)


async def test_a_long_estimated_wait_refuses_learners_with_the_estimate(redis_client) -> None:
    import secrets

    from grading_service.edge.admission import Refusal
    from grading_service.jobs.queue import JobQueue

    queue = JobQueue(redis_client, stream=f"t{secrets.token_hex(4)}:wait")
    await queue.ensure_group()
    admission = Admission(redis_client, queue, max_wait_seconds=5.0)
    for n in range(6):
        await queue.enqueue(f"s{n}")
    await admission.check_backpressure(lane="normal")  # nothing known yet: admitted
    await queue.announce_workers("replica-a", 2, 30)
    for seconds in (2.0, 3.0):
        await queue.record_grading(seconds)
    assert await admission.estimated_wait(6) == 6 * 2.5 / 2
    with pytest.raises(Refusal) as refused:
        await admission.check_backpressure(lane="normal")
    assert refused.value.status == 503 and refused.value.retry_after_seconds == 8
    assert "about 8 s" in refused.value.message and "safe" in refused.value.message
    await admission.check_backpressure(lane="priority")  # teachers are not held back
    await queue.announce_workers("replica-b", 2, 30)  # a second replica halves it: 3.75 s
    await admission.check_backpressure(lane="normal")


async def test_the_estimate_is_at_least_what_the_oldest_waiting_job_waited(
    redis_client,
) -> None:
    """On a saturated machine workers grade more slowly together than alone: when every
    worker is busy, a new job waits at least as long as the oldest one still waiting."""
    import secrets

    from grading_service.edge.admission import Refusal
    from grading_service.jobs.queue import JobQueue

    queue = JobQueue(redis_client, stream=f"t{secrets.token_hex(4)}:oldest")
    await queue.ensure_group()
    admission = Admission(redis_client, queue, max_wait_seconds=5.0)
    await queue.announce_workers("replica-a", 2, 30)
    await queue.record_grading(1.0)
    now_s, _ = await redis_client.time()
    stream = queue.lane_streams["normal"]
    for n in range(4):  # added 12 s ago, as if the workers were that far behind
        await redis_client.xadd(stream, {"submission_id": f"s{n}"}, id=f"{(now_s - 12) * 1000}-{n}")
    assert 12 <= await queue.oldest_wait_seconds() < 14
    assert await admission.estimated_wait(1) == 0.5  # a free worker: no queueing
    assert 13 <= await admission.estimated_wait(4) < 15  # the formula alone says 2 s
    with pytest.raises(Refusal) as refused:
        await admission.check_backpressure(lane="normal")
    assert refused.value.retry_after_seconds >= 13
    for n in range(4):  # read by workers: no longer waiting
        await queue.read(f"w{n}", block_ms=10)
    assert await queue.oldest_wait_seconds() == 0


async def test_grading_times_another_version_wrote_never_fail_a_submission(redis_client) -> None:
    """The estimate reads a list in Redis that other versions of the service also write
    (during an upgrade, or from a Redis that outlived an older service)."""
    import secrets

    from grading_service.jobs.queue import JobQueue

    queue = JobQueue(redis_client, stream=f"t{secrets.token_hex(4)}:versions")
    key = f"{queue.stream}:grading-seconds"
    await redis_client.rpush(key, "2.000", "4.000:35.9:1796200072.1", "not a number")
    assert await queue.recent_grading_seconds() == 3.0
