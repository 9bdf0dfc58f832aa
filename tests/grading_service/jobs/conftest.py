"""A job queue of its own for each test, on the session's Redis server."""

from __future__ import annotations

import secrets

import pytest

from grading_service.jobs.queue import JobQueue


@pytest.fixture
async def queue(redis_client) -> JobQueue:
    queue = JobQueue(redis_client, stream=f"t{secrets.token_hex(4)}:jobs")
    await queue.ensure_group()
    return queue
