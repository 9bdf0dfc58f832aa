"""Retention: the purge removes exactly what is past its period, on the real
MongoDB-protocol server, and the TTL index follows a changed period."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import pytest
from traitlets.config import Config

from grading_service.app import GradingService
from grading_service.ops.retention import Retention
from grading_service.ops.user_command import purge_main
from grading_service.storage import Storage

from .seed import seed_aged_records

NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)


async def ids(storage: Storage, name: str) -> set[str]:
    return {str(d["_id"]) async for d in storage.db[name].find({}, {"_id": 1})}


async def test_purge_removes_exactly_what_is_past_its_period(make_storage) -> None:
    storage = make_storage()
    old, new = await seed_aged_records(storage, NOW)
    retention = Retention()

    assert await retention.purge(storage.db, NOW, dry_run=True) == {
        "submissions.code": 1,
        "submissions": 1,
        "progress": 1,
        "hint_reveals": 1,
        "assessment_attempts": 1,
        "audit": 1,
    }
    assert await ids(storage, "submissions") == old["submissions"] | new["submissions"]

    counts = await retention.purge(storage.db, NOW)
    assert counts == {
        "submissions.code": 1,
        "submissions": 1,
        "progress": 1,
        "hint_reveals": 1,
        "assessment_attempts": 1,
        "audit": 1,
    }
    for name in ("submissions", "progress", "hint_reveals", "assessment_attempts", "audit"):
        assert await ids(storage, name) == new[name], name
    # Code older than 30 days is gone, its verdict is not; newer code and the code of a
    # submission still queued stay.
    stripped = await storage.submissions.find_one({"_id": "code-old"})
    assert stripped is not None and "code" not in stripped
    assert stripped["score"] == 10 and stripped["code_removed_at"] == NOW
    for sid in ("fresh", "queued-old-code"):
        doc = await storage.submissions.find_one({"_id": sid})
        assert doc is not None and doc["code"]
    # What is not time-based stays.
    assert await storage.privacy.count_documents({}) == 1
    assert await storage.overrides.count_documents({}) == 1

    assert set((await retention.purge(storage.db, NOW)).values()) == {0}  # idempotent


async def test_a_period_of_zero_keeps_for_ever(make_storage) -> None:
    storage = make_storage()
    await seed_aged_records(storage, NOW)
    retention = Retention(
        code_retention_days=0,
        verdict_retention_days=0,
        progress_retention_days=0,
        hint_retention_days=0,
        attempt_retention_days=0,
        audit_retention_days=0,
    )
    assert await retention.purge(storage.db, NOW) == {}


async def test_a_changed_ttl_is_applied_not_refused(make_storage) -> None:
    storage = make_storage()

    async def ttl() -> int | None:
        indexes = {i["name"]: i async for i in await storage.submissions.list_indexes()}
        index = indexes.get("expire_old_submissions")
        return None if index is None else index["expireAfterSeconds"]

    await storage.ensure_indexes(365 * 86400)
    assert await ttl() == 365 * 86400
    await storage.ensure_indexes(30 * 86400)  # create_index alone raises a conflict
    assert await ttl() == 30 * 86400
    await storage.ensure_indexes(30 * 86400)
    await storage.ensure_indexes(0)
    assert await ttl() is None
    await storage.ensure_indexes(7 * 86400)
    assert await ttl() == 7 * 86400


async def test_secantusdb_expires_ttl_indexes_within_ninety_seconds(make_storage) -> None:
    """Measured, not assumed: the server's TTL monitor (every 60 s, as MongoDB's)."""
    storage = make_storage()
    things = storage.db["ttl_probe"]
    await things.create_index("at", expireAfterSeconds=1)
    await things.insert_many(
        [
            {"_id": "old", "at": dt.datetime.now(dt.UTC) - dt.timedelta(days=2)},
            {"_id": "new", "at": dt.datetime.now(dt.UTC) + dt.timedelta(days=2)},
        ]
    )
    started = time.monotonic()
    for _ in range(45):  # up to 90 s
        if not await things.count_documents({"_id": "old"}):
            break
        await asyncio.sleep(2)
    print(f"SecantusDB expired the TTL document after {time.monotonic() - started:.0f} s")
    assert await things.count_documents({"_id": "old"}) == 0, "not expired in 90 s"
    assert await things.count_documents({"_id": "new"}) == 1


async def test_the_service_purges_soon_after_start_and_then_every_interval(
    make_storage,
) -> None:
    storage = make_storage()
    await seed_aged_records(storage, NOW)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise asyncio.CancelledError

    retention = Retention(purge_interval_seconds=600, first_purge_delay_seconds=60)
    with pytest.raises(asyncio.CancelledError):
        await retention.run_periodically(storage.db, clock=lambda: NOW, sleep=sleep)
    assert slept == [60, 600, 600]
    assert await storage.submissions.count_documents({"_id": "verdict-old"}) == 0


def test_the_deprecated_submission_retention_days_still_counts() -> None:
    config = Config()
    config.GradingService.submission_retention_days = 30
    service = GradingService(config=config)
    assert service.init_retention().verdict_retention_days == 30
    config.Retention.verdict_retention_days = 200  # the new name wins
    service = GradingService(config=config)
    assert service.init_retention().verdict_retention_days == 200
    assert GradingService().init_retention().verdict_retention_days == 365


def test_coderunner_purge_dry_run_then_purge(
    command_database, mongodb_server, tmp_path: Path, capsys
) -> None:
    name = f"test_purge_{time.time_ns()}"
    command_database(name)
    (tmp_path / "coderunner_grader_config.py").write_text("c.Retention.audit_retention_days = 0\n")

    async def seed() -> None:
        storage = Storage(mongodb_server.mongodb_uri, name)
        try:
            await seed_aged_records(storage, dt.datetime.now(dt.UTC))
        finally:
            await storage.close()

    async def drop() -> None:
        storage = Storage(mongodb_server.mongodb_uri, name)
        await storage.client.drop_database(name)
        await storage.close()

    asyncio.run(seed())
    try:
        assert purge_main(["--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "submissions: would remove 1" in out
        assert "submissions.code: would remove the code of 1" in out
        assert "audit" not in out  # kept for ever by the config file
        assert purge_main([]) == 0
        assert "progress: removed 1" in capsys.readouterr().out
        assert purge_main([]) == 0
        assert "submissions: removed 0" in capsys.readouterr().out
    finally:
        asyncio.run(drop())
