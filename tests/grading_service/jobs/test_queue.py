"""The job queue (jobs/queue.py) on a real Redis server: a job is read by one consumer,
the priority lane first; it stays pending until acked; a job left pending is claimed by
another consumer once idle, unless its worker keeps touching it; depth counts both."""

from __future__ import annotations

import asyncio
import secrets

from grading_service.jobs.queue import JobQueue


async def test_a_job_goes_to_one_consumer_with_its_submission_id(queue: JobQueue) -> None:
    message_id = await queue.enqueue("s1")
    jobs = await queue.read("worker-1", block_ms=10)
    assert [(j.stream, j.message_id, j.submission_id) for j in jobs] == [
        (queue.stream, message_id, "s1")
    ]
    assert await queue.read("worker-2", block_ms=10) == []


async def test_a_lane_is_read_in_the_order_jobs_came(queue: JobQueue) -> None:
    for sid in ("first", "second", "third"):
        await queue.enqueue(sid)
    read = [(await queue.read("worker", block_ms=10))[0].submission_id for _ in range(3)]
    assert read == ["first", "second", "third"]


async def test_the_priority_lane_is_read_first(queue: JobQueue) -> None:
    await queue.enqueue("learner")
    await queue.enqueue("teacher", priority=True)
    jobs = await queue.read("worker", block_ms=10)
    assert jobs[0].submission_id == "teacher" and jobs[0].stream == queue.priority_stream
    assert [j.submission_id for j in jobs] == ["teacher", "learner"]


async def test_the_batch_lane_is_read_only_when_nothing_else_waits(queue: JobQueue) -> None:
    await queue.enqueue("batch-1", lane="batch")
    await queue.enqueue("batch-2", lane="batch")
    await queue.enqueue("learner")
    await queue.enqueue("teacher", priority=True)
    order = []
    for _ in range(4):
        jobs = await queue.read("worker", block_ms=10)
        order += [j.submission_id for j in jobs]
    assert order == ["teacher", "learner", "batch-1", "batch-2"]
    assert await queue.depth(lane="batch") == 2  # read, not yet acked


async def test_a_batch_job_waits_while_a_class_keeps_submitting(queue: JobQueue) -> None:
    await queue.enqueue("batch", lane="batch")
    seen = []
    for i in range(3):
        await queue.enqueue(f"learner-{i}")
        seen += [j.submission_id for j in await queue.read("worker", block_ms=10)]
    assert seen == ["learner-0", "learner-1", "learner-2"]
    assert [j.submission_id for j in await queue.read("worker", block_ms=10)] == ["batch"]


async def test_depth_counts_jobs_waiting_and_jobs_being_worked_on(queue: JobQueue) -> None:
    assert await queue.depth() == 0
    await queue.enqueue("a")
    await queue.enqueue("b")
    await queue.enqueue("c", priority=True)
    assert (await queue.depth(), await queue.depth(priority=True)) == (3, 1)
    assert await queue.depth(priority=False) == 2
    jobs = await queue.read("worker", block_ms=10)  # one of each lane, now pending
    assert len(jobs) == 2 and await queue.depth() == 3
    for job in jobs:
        await queue.ack(job)
    assert (await queue.depth(), await queue.depth(priority=False)) == (1, 1)


async def test_depth_of_a_queue_never_created_is_zero(redis_client) -> None:
    assert await JobQueue(redis_client, stream=f"t{secrets.token_hex(4)}:none").depth() == 0


async def test_creating_the_group_again_keeps_the_jobs(queue: JobQueue) -> None:
    await queue.enqueue("s1")
    await queue.ensure_group()  # every service does at start
    assert await queue.depth() == 1
    assert [j.submission_id for j in await queue.read("worker", block_ms=10)] == ["s1"]


async def test_an_acked_job_is_gone_for_good(queue: JobQueue) -> None:
    await queue.enqueue("s1")
    (job,) = await queue.read("worker", block_ms=10)
    await queue.ack(job)
    await asyncio.sleep(0.05)
    assert await queue.claim_stale("other", min_idle_ms=0) == []
    assert await queue.depth() == 0


async def test_a_job_left_pending_is_claimed_by_another_consumer_once_idle(
    queue: JobQueue, redis_client
) -> None:
    await queue.enqueue("learner")
    await queue.enqueue("teacher", priority=True)
    left = await queue.read("dead-worker", block_ms=10)
    assert await queue.claim_stale("live-worker", min_idle_ms=60_000) == []  # not idle yet
    await asyncio.sleep(0.6)
    claimed = await queue.claim_stale("live-worker", min_idle_ms=500)
    assert sorted(claimed, key=lambda j: j.submission_id) == sorted(
        left, key=lambda j: j.submission_id
    )
    for stream in (queue.priority_stream, queue.stream):  # the batch lane had nothing
        pending = await redis_client.xpending_range(stream, queue.group, "-", "+", 10)
        assert [p["consumer"] for p in pending] == ["live-worker"]
    assert await queue.depth() == 2  # claimed, not yet acked


async def test_touch_keeps_a_job_from_being_claimed(queue: JobQueue) -> None:
    await queue.enqueue("s1")
    (job,) = await queue.read("worker", block_ms=10)
    await asyncio.sleep(0.6)
    await queue.touch(job, "worker")  # the worker's heartbeat
    assert await queue.claim_stale("other", min_idle_ms=500) == []
    await asyncio.sleep(0.6)  # no heartbeat since
    assert [j.message_id for j in await queue.claim_stale("other", min_idle_ms=500)] == [
        job.message_id
    ]


async def test_streams_hold_only_work_waiting_or_in_flight_after_a_thousand_jobs(
    redis_client,
) -> None:
    queue = JobQueue(redis_client, stream=f"t{secrets.token_hex(4)}:bounded")
    await queue.ensure_group()
    for n in range(1000):
        await queue.enqueue(f"s{n}", lane=("normal", "priority", "batch")[n % 3])
    done = 0
    while done < 990:
        for job in await queue.read("w1", block_ms=10):
            await queue.ack(job)
            done += 1
    in_flight = await queue.read("w1", block_ms=10)  # taken, not acked yet
    lengths = [await redis_client.xlen(stream) for stream in queue.streams]
    assert sum(lengths) == 10 == await queue.depth()
    for job in in_flight:
        await queue.ack(job)
    assert sum([await redis_client.xlen(stream) for stream in queue.streams]) == 9
    assert await queue.depth() == 9
