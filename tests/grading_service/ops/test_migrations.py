"""Migrations (ops/migrations.py) on the real MongoDB-protocol server: a database the
previous release wrote is brought to this release's schema version at start, with its
data intact; running them again, or from two services at once, changes nothing; a crash
part-way resumes where it stopped; and a database newer than the code is refused, by
the service's start as by ``coderunner migrate``."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable

import pytest

from grading_service import __version__
from grading_service.app import ConfigError, GradingService
from grading_service.ops import migrations
from grading_service.ops.command import main as ops_main
from grading_service.ops.migrations import (
    LATEST,
    MIGRATIONS,
    Database,
    Migration,
    SchemaTooNew,
    current_version,
    migrate,
    plan,
)
from grading_service.storage import Storage
from hub_config.settings import ROOT

from .seed import drop_databases, seed_as_the_service_does, snapshot


async def written_by_release_0_1_0(storage: Storage) -> dict[str, list[bytes]]:
    """Fill the database as release 0.1.0 did (no schema version); what it holds."""
    await seed_as_the_service_does(storage)
    await storage.ensure_indexes(3600)
    held = await snapshot(storage)
    assert "schema" not in held and await current_version(storage.db) == 0
    return held


async def test_a_database_from_the_previous_release_is_brought_up_to_date(
    make_storage: Callable[[], Storage], log_records
) -> None:
    storage = make_storage()
    before = await written_by_release_0_1_0(storage)

    log = logging.getLogger("test.migrations")
    log.setLevel(logging.INFO)
    with log_records(log) as logged:
        done = await migrate(storage.db, log=log)

    assert (done.current, done.target) == (0, LATEST)
    assert [m.number for m in done.pending] == list(range(1, LATEST + 1))
    assert await current_version(storage.db) == LATEST
    after = await snapshot(storage)
    after.pop("schema")
    assert after == before  # migration 1 only stamps the layout: no document changed
    stamp = await storage.db["schema"].find_one({"_id": "version"})
    assert stamp is not None
    assert stamp["service_version"] == __version__ and stamp["migrated_at"].tzinfo is not None
    assert [h["version"] for h in stamp["history"]] == list(range(1, LATEST + 1))
    assert any("1. Record the layout of release 0.1.0" in m for m in logged.messages)
    # The service reads the migrated data as before.
    assert [p["problem_id"] for p in await storage.progress_for("ana")] == ["add-two", "fizz"]


async def test_migrating_again_changes_nothing(make_storage: Callable[[], Storage]) -> None:
    storage = make_storage()
    await written_by_release_0_1_0(storage)
    await migrate(storage.db)
    once = await snapshot(storage)

    again = await migrate(storage.db)
    assert again.pending == [] and again.describe() == f"schema version {LATEST}: up to date"
    assert await snapshot(storage) == once
    for migration in MIGRATIONS:  # each one, run again on its own result
        await migration.apply(storage.db)
    assert await snapshot(storage) == once


async def test_two_services_starting_at_once_migrate_once(
    make_storage: Callable[[], Storage],
) -> None:
    storage = make_storage()
    await written_by_release_0_1_0(storage)
    await asyncio.gather(migrate(storage.db), migrate(storage.db), migrate(storage.db))
    stamp = await storage.db["schema"].find_one({"_id": "version"})
    assert stamp is not None and stamp["version"] == LATEST
    assert [h["version"] for h in stamp["history"]] == list(range(1, LATEST + 1))


async def test_a_migration_that_fails_is_resumed_at_the_next_start(
    make_storage: Callable[[], Storage],
) -> None:
    storage = make_storage()
    await storage.db["things"].insert_many([{"_id": i} for i in range(3)])
    ran: list[str] = []

    async def add_size(db: Database) -> None:
        """Give every thing a size."""
        ran.append("add_size")
        await db["things"].update_many({"size": {"$exists": False}}, {"$set": {"size": 1}})

    async def power_cut(db: Database) -> None:
        """Fail half-way."""
        ran.append("power_cut")
        raise RuntimeError("power cut")

    async def add_colour(db: Database) -> None:
        """Give every thing a colour."""
        ran.append("add_colour")
        await db["things"].update_many({"colour": {"$exists": False}}, {"$set": {"colour": "red"}})

    with pytest.raises(RuntimeError, match="power cut"):
        await migrate(storage.db, [Migration(1, add_size), Migration(2, power_cut)])
    assert await current_version(storage.db) == 1

    done = await migrate(storage.db, [Migration(1, add_size), Migration(2, add_colour)])

    assert ran == ["add_size", "power_cut", "add_colour"]
    assert [m.title for m in done.pending] == ["Give every thing a colour."]
    assert await current_version(storage.db) == 2
    things = [d async for d in storage.db["things"].find({}, {"_id": 0})]
    assert things == [{"size": 1, "colour": "red"}] * 3


def test_migrations_are_numbered_without_gaps() -> None:
    async def step(db: Database) -> None:
        """A step."""

    migrations.check_sequence(MIGRATIONS)
    assert LATEST == len(MIGRATIONS) >= 1
    assert all(m.apply.__doc__ for m in MIGRATIONS)  # each says what it does
    with pytest.raises(ValueError, match="numbered 1..N"):
        migrations.check_sequence([Migration(1, step), Migration(3, step)])


async def test_a_database_newer_than_the_code_is_refused(
    make_storage: Callable[[], Storage],
) -> None:
    storage = make_storage()
    await seed_as_the_service_does(storage)
    await storage.db["schema"].insert_one({"_id": "version", "version": LATEST + 1})
    held = await snapshot(storage)

    with pytest.raises(SchemaTooNew, match=f"schema version is {LATEST + 1}"):
        await migrate(storage.db)
    with pytest.raises(SchemaTooNew):
        await plan(storage.db)
    assert await snapshot(storage) == held


def service_on(uri: str, database: str) -> GradingService:
    app = GradingService(
        mongodb_uri=uri,
        mongodb_database=database,
        redis_url="redis://127.0.0.1:1/0",  # never reached: the start stops before Redis
        content_dir=str(ROOT / "content"),
    )
    app.initialize([])
    return app


@pytest.mark.usefixtures("service_env")
async def test_the_service_refuses_to_start_on_a_newer_database(
    make_storage: Callable[[], Storage], mongodb_server
) -> None:
    storage = make_storage()
    await storage.db["schema"].insert_one({"_id": "version", "version": LATEST + 1})
    app = service_on(mongodb_server.mongodb_uri, storage.db.name)
    try:
        with pytest.raises(ConfigError, match="written by a newer release"):
            await asyncio.wait_for(app.start_serving(), 30)
    finally:
        await app.storage.close()
        await app.redis.aclose()
    assert await storage.db.list_collection_names() == ["schema"]  # not even indexes


class IndexesReached(Exception):
    """Raised in place of making the indexes: the start got that far."""


@pytest.mark.usefixtures("service_env")
async def test_the_service_migrates_at_start_before_making_indexes(
    make_storage: Callable[[], Storage], mongodb_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = make_storage()
    before = await written_by_release_0_1_0(storage)
    app = service_on(mongodb_server.mongodb_uri, storage.db.name)
    seen: list[int] = []

    async def ensure_indexes(retention_seconds: int) -> None:
        seen.append(await current_version(app.storage.db))
        raise IndexesReached

    monkeypatch.setattr(app.storage, "ensure_indexes", ensure_indexes)
    try:
        with pytest.raises(IndexesReached):
            await asyncio.wait_for(app.start_serving(), 30)
    finally:
        await app.storage.close()
        await app.redis.aclose()
    assert seen == [LATEST]
    after = await snapshot(storage)
    after.pop("schema")
    assert after == before


async def _version(uri: str, database: str, set_to: int | None = None) -> int:
    storage = Storage(uri, database)
    try:
        if set_to is not None:
            await storage.db["schema"].insert_one({"_id": "version", "version": set_to})
        return await current_version(storage.db)
    finally:
        await storage.close()


def test_the_migrate_command_reports_and_applies(
    command_database, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    database, newer = f"test_{secrets.token_hex(4)}", f"test_{secrets.token_hex(4)}"
    uri = command_database(database)
    try:
        check_migrate_command(uri, database, newer, monkeypatch, capsys)
    finally:
        asyncio.run(drop_databases(uri, database, newer))


def check_migrate_command(
    uri: str, database: str, newer: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    assert ops_main("migrate", ["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"schema version 0; this release's is {LATEST}" in out
    assert "would apply 1. Record the layout of release 0.1.0" in out
    assert asyncio.run(_version(uri, database)) == 0

    assert ops_main("migrate", []) == 0
    assert "applied 1. Record the layout" in capsys.readouterr().out
    assert asyncio.run(_version(uri, database)) == LATEST

    asyncio.run(_version(uri, newer, set_to=LATEST + 1))
    monkeypatch.setenv("CODERUNNER_DB", newer)
    assert ops_main("migrate", ["--dry-run"]) == 1
    assert "written by a newer release" in capsys.readouterr().err
