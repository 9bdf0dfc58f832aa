"""SubmissionService.accept (edge/submissions.py) against a real Redis and a real
MongoDB-protocol server: the acceptance protocol, and that a failed step undoes what the
earlier ones did."""

from __future__ import annotations

import secrets

import pytest
from pymongo.errors import ServerSelectionTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError

from grading_service.content.store import ContentStore
from grading_service.edge.admission import Admission
from grading_service.edge.submissions import (
    Source,
    SubmissionError,
    SubmissionService,
    Submitter,
)
from grading_service.jobs.queue import JobQueue
from grading_service.storage import Storage
from hub_config.settings import ROOT

ALICE = Submitter("alice", ("class-a",), None, "req-1")
ADD = Source("add-two", "def add(a, b):\n    return a + b\n", "code")


class BrokenQueue(JobQueue):
    """The real queue, whose enqueue fails as a lost Redis connection does."""

    async def enqueue(self, submission_id: str, **lane: object) -> str:
        raise RedisConnectionError("connection refused")


class BrokenStorage(Storage):
    async def insert_submission(self, doc: dict) -> None:
        raise ServerSelectionTimeoutError("no server")


@pytest.fixture
def parts(redis_client, storage):
    prefix = f"t{secrets.token_hex(4)}"
    content = ContentStore(ROOT / "content")

    async def service(*, queue_class=JobQueue, storage_: Storage | None = None, **limits):
        queue = queue_class(redis_client, stream=f"{prefix}:jobs")
        await queue.ensure_group()
        admission = Admission(redis_client, queue, key_prefix=prefix, **limits)
        return SubmissionService(
            content=content,
            admission=admission,
            storage=storage_ or storage,
            queue=queue,
            max_code_bytes=1000,
            max_notebook_bytes=5000,
        )

    return service, storage, redis_client, prefix


async def quota_used(client, prefix: str, user: str) -> int:
    keys = [k async for k in client.scan_iter(f"{prefix}:quota:{user}:*")]
    return sum([int(await client.get(k) or 0) for k in keys])


async def test_accept_stores_queues_and_dedups(parts) -> None:
    make, storage, client, prefix = parts
    service = await make()
    first = await service.accept(ALICE, ADD)
    assert first.status == "queued" and not first.duplicate
    doc = await storage.get_submission(first.id)
    assert doc["user"] == "alice" and doc["status"] == "queued" and doc["attempts"] == 0
    assert await service.queue.depth() == 1
    again = await service.accept(ALICE, ADD)
    assert (again.id, again.duplicate) == (first.id, True)
    assert await quota_used(client, prefix, "alice") == 1  # the twin cost nothing


async def test_a_refusal_counts_nothing_and_leaves_no_claim(parts) -> None:
    make, _, client, prefix = parts
    service = await make(max_queue_depth=1)
    await service.accept(ALICE, ADD)
    other = Source("add-two", ADD.code + "# again\n", "code")
    with pytest.raises(SubmissionError) as refused:
        await service.accept(Submitter("bob", ("class-a",)), other)
    assert refused.value.status == 503 and refused.value.reason == "backpressure"
    assert await quota_used(client, prefix, "bob") == 0
    assert not [k async for k in client.scan_iter(f"{prefix}:dedup:bob:*")]


async def test_queue_failure_removes_the_stored_submission_and_undoes_admission(parts) -> None:
    make, storage, client, prefix = parts
    service = await make(queue_class=BrokenQueue)
    with pytest.raises(SubmissionError) as failed:
        await service.accept(ALICE, ADD)
    assert failed.value.status == 503 and "queue unavailable" in failed.value.message
    assert failed.value.retry_after_seconds
    assert await storage.submissions.count_documents({"user": "alice"}) == 0
    assert await quota_used(client, prefix, "alice") == 0
    assert not [k async for k in client.scan_iter(f"{prefix}:dedup:alice:*")]


async def test_database_failure_undoes_admission(parts, mongodb_server) -> None:
    make, _, client, prefix = parts
    broken = BrokenStorage(mongodb_server.mongodb_uri, "unused")
    service = await make(storage_=broken)
    with pytest.raises(SubmissionError) as failed:
        await service.accept(ALICE, ADD)
    assert failed.value.status == 503 and "database unavailable" in failed.value.message
    assert await quota_used(client, prefix, "alice") == 0
    await broken.close()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "problem_id"),
        ({"problem_id": "no-such"}, 404, "No problem"),
        ({"problem_id": "add-two"}, 400, "Send either"),
        ({"problem_id": "add-two", "notebook": []}, 400, "nbformat"),
        ({"problem_id": "add-two", "code": "x" * 2000}, 413, "larger than 1000"),
    ],
)
async def test_source_checks_the_body(parts, body: dict, status: int, words: str) -> None:
    make, *_ = parts
    with pytest.raises(SubmissionError) as bad:
        (await make()).source(body)
    assert bad.value.status == status and words in bad.value.message
