"""Gauges read when Prometheus scrapes ``/metrics``: the queue (depth, oldest wait), the
workers, the warm pool, Redis' memory and the readiness of each dependency.

Each reading is bounded in time and may fail on its own (Redis down, say): a gauge it
could not read keeps its last value, and ``/metrics`` still answers, with
``coderunner_dependency_up`` saying what is down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .. import metrics
from ..jobs.queue import LANES, JobQueue

if TYPE_CHECKING:
    import redis.asyncio as redis

    from ..app import GradingService

log = logging.getLogger("coderunner.metrics")

# Below Prometheus' default scrape timeout (10 s); the dependency checks give up after
# 3 s each (GradingService.check_dependencies).
READ_TIMEOUT_SECONDS = 7.0


async def redis_memory(client: redis.Redis) -> tuple[int, int]:
    """Redis' used memory and its limit (0: none), in bytes, from ``INFO memory``."""
    info = await client.info("memory")
    return int(info.get("used_memory", 0)), int(info.get("maxmemory", 0))


async def lane_depths(queue: JobQueue) -> dict[str, int]:
    """Jobs waiting or in progress, lane by lane."""
    return {lane: await queue.depth(lane=lane) for lane in LANES}


async def _read(what: str, reading: Awaitable[Any], store: Callable[[Any], object]) -> None:
    try:
        store(await asyncio.wait_for(reading, READ_TIMEOUT_SECONDS))
    except Exception as exc:  # noqa: BLE001 - one failed reading must not fail the scrape
        log.debug("metrics: cannot read %s: %s", what, exc)


def _set_depths(depths: dict[str, int]) -> None:
    for lane, depth in depths.items():
        metrics.QUEUE_LANE_DEPTH.labels(lane).set(depth)
    metrics.QUEUE_DEPTH.set(sum(depths.values()))


def _set_redis_memory(values: tuple[int, int]) -> None:
    metrics.REDIS_USED_MEMORY_BYTES.set(values[0])
    metrics.REDIS_MAXMEMORY_BYTES.set(values[1])


async def refresh(service: GradingService) -> None:
    """Bring the scrape-time gauges up to date (``MetricsHandler`` calls this)."""
    metrics.POOL_READY.set(service.pool.ready_count)
    metrics.POOL_TARGET.set(service.pool.target)
    metrics.WORKERS.set(service.workers.concurrency)
    await asyncio.gather(
        _read("the queue depth", lane_depths(service.queue), _set_depths),
        _read(
            "the oldest wait",
            service.queue.oldest_wait_seconds(),
            metrics.QUEUE_OLDEST_WAIT_SECONDS.set,
        ),
        _read("the announced workers", service.queue.workers(), metrics.WORKERS_ANNOUNCED.set),
        _read("Redis' memory", redis_memory(service.redis), _set_redis_memory),
        _read("the dependencies", service.check_dependencies(), metrics.record_readiness),
    )
