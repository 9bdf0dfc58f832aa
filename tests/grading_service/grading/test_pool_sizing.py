"""The warm pool (grading/sandbox.py SandboxPool) sized from demand: a replacement
starts the moment a sandbox is taken, the pool grows with the arrival rate within
``max_size`` and ``memory_cap_mb``, and shrinks back when it is quiet. A factory in memory
stands in for Docker; the pool against the real daemon is tested in test_sandbox.py."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from grading_service.grading.sandbox import SandboxFactory, SandboxPool


class MemoryFactory(SandboxFactory):
    """Starts 'sandboxes' that are only names, taking ``start_seconds`` each."""

    def __init__(self, start_seconds: float = 0.05, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_seconds = start_seconds
        self.started: list[str] = []
        self.removed: list[str] = []
        self._ids = itertools.count()

    async def start(self, memory_limit_mb: int | None = None) -> str:
        await asyncio.sleep(self.start_seconds)
        name = f"sandbox-{next(self._ids)}"
        self.started.append(name)
        return name

    async def set_memory_limit(self, container_id: str, memory_limit_mb: int) -> None:
        pass

    async def remove(self, container_id: str) -> None:
        self.removed.append(container_id)


async def until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the pool never got there")


@pytest.fixture
async def pool_of():
    pools: list[SandboxPool] = []

    async def make(factory: SandboxFactory | None = None, **settings) -> SandboxPool:
        pool = SandboxPool(factory or MemoryFactory(), **settings)
        await pool.start()
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        await pool.close(grace_seconds=1)


async def test_quiet_pool_keeps_its_size(pool_of) -> None:
    pool = await pool_of(size=3, max_size=10)
    await until(lambda: pool.ready_count == 3)
    assert pool.target == 3
    assert pool.describe()["arrivals_per_minute"] == 0


async def test_a_replacement_starts_the_moment_a_sandbox_is_taken(pool_of) -> None:
    factory = MemoryFactory(start_seconds=0.2)
    pool = await pool_of(factory, size=2, max_size=2)
    await until(lambda: pool.ready_count == 2)
    await pool.acquire()
    await until(lambda: pool._starting == 1, seconds=0.15)  # before the start would end
    await until(lambda: pool.ready_count == 2)


async def test_busy_pool_grows_with_the_arrival_rate(pool_of) -> None:
    factory = MemoryFactory(start_seconds=0.1)
    pool = await pool_of(factory, size=2, max_size=10, demand_window_seconds=2.0)
    await until(lambda: pool.ready_count == 2)
    now = asyncio.get_running_loop().time()
    pool._taken.extend([now] * 38)  # as if taken just now
    for _ in range(2):
        await pool.acquire()
    assert pool.arrival_rate == pytest.approx(20)  # 40 in 2 s
    # 2 × 20/s × the start time (its moving average, between 0.1 and 0.5 s) ≥ 4
    assert 4 <= pool.target <= 10
    await until(lambda: pool.ready_count >= 4)


async def test_growth_stops_at_max_size_and_at_the_memory_cap(pool_of) -> None:
    pool = await pool_of(size=1, max_size=4, demand_window_seconds=1.0)
    for _ in range(500):
        pool._taken.append(asyncio.get_running_loop().time())
    pool._start_seconds = 1.0
    assert pool.target == 4
    capped = await pool_of(size=1, max_size=50, memory_cap_mb=384, start_memory_limit_mb=128)
    for _ in range(500):
        capped._taken.append(asyncio.get_running_loop().time())
    assert capped.target == 3  # 384 MiB ÷ 128 MiB each


async def test_quiet_again_shrinks_back_to_size(pool_of) -> None:
    factory = MemoryFactory(start_seconds=0.05)
    pool = await pool_of(factory, size=2, max_size=8, demand_window_seconds=0.6)
    await until(lambda: pool.ready_count == 2)
    for _ in range(30):
        await pool.acquire()
    await until(lambda: pool.ready_count > 2)
    await until(lambda: pool.ready_count == 2 and pool.target == 2, seconds=5)
    assert factory.removed  # the surplus was given back, not leaked


async def test_size_zero_is_no_pool(pool_of) -> None:
    factory = MemoryFactory()
    pool = await pool_of(factory, size=0, max_size=8)
    await pool.acquire()
    await asyncio.sleep(0.1)
    assert pool.target == 0 and pool.ready_count == 0
    assert len(factory.started) == 1  # only the one the submission needed


class UnevenFactory(MemoryFactory):
    """The first start is slow (a struggling daemon), the rest quick."""

    async def start(self, memory_limit_mb: int | None = None) -> str:
        slow = not self.started and not getattr(self, "_slow_taken", False)
        self._slow_taken = True
        await asyncio.sleep(1.0 if slow else 0.02)
        name = f"sandbox-{next(self._ids)}"
        self.started.append(name)
        return name


async def test_a_slow_start_does_not_hold_back_the_others(pool_of) -> None:
    # Starts are kept under way one by one, not in batches that wait for their slowest.
    pool = await pool_of(UnevenFactory(), size=3, max_parallel_starts=2)
    await until(lambda: pool.ready_count == 2, seconds=0.5)
    assert pool._starting == 1  # the slow one, still going
