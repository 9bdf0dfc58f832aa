"""Backups (ops/backup.py) on the real MongoDB-protocol server: every collection comes
back document by document, byte for byte; a restore never writes into a database that
holds data unless forced, nor anything from a damaged file; --keep rotates only our
backups; the commands read the service's own settings and exit 0/1/2."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import json
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from grading_service import __version__, cli
from grading_service.ops import migrations
from grading_service.ops.backup import (
    NAME_PATTERN,
    BackupError,
    Manifest,
    RestoreRefused,
    backup_name,
    create_backup,
    restore_backup,
    rotate,
    verify,
)
from grading_service.ops.command import load_settings, redact
from grading_service.ops.command import main as ops_main
from grading_service.storage import Storage

from .seed import (
    drop_databases,
    seed_as_the_service_does,
    seed_unusual_values,
    snapshot,
    storage_collections,
)

RETENTION_SECONDS = 3600


async def fill(storage: Storage) -> None:
    """A database as a running service leaves it, plus values that are hard to copy, a
    collection a later release might add and an empty one."""
    await seed_as_the_service_does(storage)
    await seed_unusual_values(storage)
    await migrations.migrate(storage.db)
    await storage.ensure_indexes(RETENTION_SECONDS)
    await storage.db["added_by_a_later_release"].insert_one({"_id": 1, "note": "kept too"})
    await storage.db.create_collection("empty_for_now")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def indexes_of(storage: Storage) -> Callable[[], Awaitable[None]]:
    return lambda: storage.ensure_indexes(RETENTION_SECONDS)


async def test_a_backup_restores_every_collection_document_by_document(
    make_storage: Callable[[], Storage], tmp_path: Path
) -> None:
    source = make_storage()
    await fill(source)
    before = await snapshot(source)
    # Every collection storage.py writes is seeded, so none is left out of this test.
    assert {name for name in storage_collections(source) if not before.get(name)} == set()
    assert {"schema", "added_by_a_later_release", "empty_for_now"} <= before.keys()

    path, manifest = await create_backup(source.db, tmp_path)
    target = make_storage()
    report = await restore_backup(
        target.db, path, ensure_indexes=lambda: target.ensure_indexes(RETENTION_SECONDS)
    )

    after = await snapshot(target)
    assert after.keys() == before.keys()
    for name, documents in before.items():
        assert after[name] == documents, f"{name} differs after the restore"
    assert report.dropped == {}
    assert report.unfinished_submissions == 1  # the one still queued
    exported = await target.audit.find_one({"action": "export"})
    assert exported is not None
    assert exported["at"] == dt.datetime(2027, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC)
    assert exported["nested"]["a"][1]["b"][2]["c"] == "ß→∑"
    assert await migrations.current_version(target.db) == migrations.LATEST
    names = {index["name"] async for index in await target.submissions.list_indexes()}
    assert "expire_old_submissions" in names
    # The restored database works for the service as it was.
    assert [p["problem_id"] for p in await target.progress_for("ana")] == ["add-two", "fizz"]


async def test_the_manifest_counts_every_collection(
    make_storage: Callable[[], Storage], tmp_path: Path
) -> None:
    source = make_storage()
    await fill(source)
    before = await snapshot(source)
    now = dt.datetime(2027, 3, 1, 2, 30, 5, tzinfo=dt.UTC)

    path, manifest = await create_backup(source.db, tmp_path, now=now)

    assert path == tmp_path / "coderunner-backup-20270301T023005Z.crbak"
    assert NAME_PATTERN.match(path.name)
    assert path.stat().st_mode & 0o777 == 0o600  # children's data
    assert manifest.collections == {name: len(docs) for name, docs in before.items()}
    assert list(manifest.collections) == sorted(before)
    assert manifest.schema_version == migrations.LATEST
    assert manifest.service_version == __version__
    assert manifest.created_at == "2027-03-01T02:30:05+00:00"
    assert manifest.database == source.db.name
    assert manifest.data_bytes == sum(len(doc) for docs in before.values() for doc in docs)
    assert len(manifest.sha256) == 64
    with gzip.open(path, "rb") as file:  # what `zcat FILE | head -2` shows an admin
        assert file.readline() == b"coderunner-backup 1\n"
        assert json.loads(file.readline())["collections"] == manifest.collections
    assert verify(path) == manifest
    assert files_in(tmp_path) == [path.name]  # no spool or partial left


async def test_a_backup_is_written_to_a_named_file_and_never_over_one(
    make_storage: Callable[[], Storage], tmp_path: Path
) -> None:
    source = make_storage()
    await seed_as_the_service_does(source)
    path, _ = await create_backup(source.db, tmp_path / "before-upgrade.crbak")
    assert path == tmp_path / "before-upgrade.crbak"
    with pytest.raises(BackupError, match="already exists"):
        await create_backup(source.db, path)
    with pytest.raises(BackupError, match="does not exist"):
        await create_backup(source.db, tmp_path / "no-such-folder" / "x.crbak")


async def test_restore_refuses_a_database_that_holds_data_unless_forced(
    make_storage: Callable[[], Storage], tmp_path: Path
) -> None:
    source = make_storage()
    await fill(source)
    path, _ = await create_backup(source.db, tmp_path)
    target = make_storage()
    await target.accept_privacy("zoe", "2026-09")
    await target.set_override("learner", "zoe", {"daily_quota": 5}, by="head")
    held = await snapshot(target)

    with pytest.raises(RestoreRefused, match="not empty: audit \\(1\\), limit_overrides"):
        await restore_backup(target.db, path, ensure_indexes=indexes_of(target))
    assert await snapshot(target) == held  # nothing written

    report = await restore_backup(target.db, path, force=True, ensure_indexes=indexes_of(target))
    assert report.dropped == {"audit": 1, "limit_overrides": 1, "privacy_acceptances": 1}
    assert await snapshot(target) == await snapshot(source)
    assert await target.privacy_accepted_at("zoe", "2026-09") is None


async def test_a_database_holding_only_its_schema_version_counts_as_empty(
    make_storage: Callable[[], Storage], tmp_path: Path
) -> None:
    """A service started once on the new server has stamped its version and made its
    indexes: the restore may go there without --force, and the version is the file's."""
    source = make_storage()
    await seed_as_the_service_does(source)  # written by 0.1.0: no version
    path, manifest = await create_backup(source.db, tmp_path)
    assert manifest.schema_version == 0
    target = make_storage()
    await migrations.migrate(target.db)
    await target.ensure_indexes(RETENTION_SECONDS)

    report = await restore_backup(target.db, path, ensure_indexes=indexes_of(target))

    assert report.dropped == {"schema": 1}
    assert await migrations.current_version(target.db) == 0  # the file's; migrated at start
    assert await snapshot(target) == await snapshot(source)


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "flipped byte":
        changed = bytearray(data)
        changed[len(changed) // 2] ^= 0xFF
        path.write_bytes(bytes(changed))
    elif how == "truncated file":
        path.write_bytes(data[: len(data) * 2 // 3])
    else:  # valid gzip around wrong content
        content = gzip.decompress(data)
        if how == "changed document":
            content = content.replace(b"return a + b", b"return a - b", 1)
        elif how == "missing documents":
            content = content[: len(content) - 100]
        path.write_bytes(gzip.compress(content))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("flipped byte", "corrupt"),
        ("truncated file", "corrupt or truncated"),
        ("changed document", "does not match the checksum"),
        ("missing documents", "truncated|corrupt"),
    ],
)
async def test_a_damaged_backup_is_refused_before_anything_is_written(
    make_storage: Callable[[], Storage], tmp_path: Path, how: str, message: str
) -> None:
    source = make_storage()
    await fill(source)
    path, _ = await create_backup(source.db, tmp_path)
    damage(path, how)
    target = make_storage()

    with pytest.raises(BackupError, match=message):
        await restore_backup(target.db, path, force=True, ensure_indexes=indexes_of(target))

    assert await target.db.list_collection_names() == []


async def test_a_backup_from_a_newer_release_is_refused(
    make_storage: Callable[[], Storage], tmp_path: Path
) -> None:
    source = make_storage()
    await seed_as_the_service_does(source)
    await source.db["schema"].insert_one({"_id": "version", "version": migrations.LATEST + 1})
    path, _ = await create_backup(source.db, tmp_path)
    target = make_storage()

    with pytest.raises(BackupError, match="restore it with that release or a newer one"):
        await restore_backup(target.db, path, ensure_indexes=indexes_of(target))
    assert await target.db.list_collection_names() == []


def test_a_file_that_is_no_backup_is_named_as_such(tmp_path: Path) -> None:
    plain = tmp_path / "notes.txt"
    plain.write_text("hello\n")
    with pytest.raises(BackupError, match="corrupt or truncated"):
        verify(plain)
    other = tmp_path / "other.gz"
    other.write_bytes(gzip.compress(b"something else\n"))
    with pytest.raises(BackupError, match="not a Code Runner backup"):
        verify(other)
    later = tmp_path / "later.crbak"
    later.write_bytes(gzip.compress(b"coderunner-backup 2\n{}\n"))
    with pytest.raises(BackupError, match="format '2' is not one this release reads"):
        verify(later)
    with pytest.raises(BackupError, match="cannot read"):
        verify(tmp_path / "missing.crbak")


def test_keep_deletes_the_oldest_backups_beyond_n_and_nothing_else(tmp_path: Path) -> None:
    days = [dt.datetime(2027, 1, day, 2, 30, tzinfo=dt.UTC) for day in range(1, 6)]
    backups = [backup_name(day) for day in days]
    others = [
        "notes.txt",
        "coderunner-backup-latest.crbak",
        ".coderunner-backup-20270106T023000Z.crbak.partial",
        "before-upgrade.crbak",
    ]
    for name in [*reversed(backups), *others]:
        (tmp_path / name).write_bytes(b"x")

    removed = rotate(tmp_path, 2)

    assert sorted(p.name for p in removed) == backups[:3]
    assert {p.name for p in tmp_path.iterdir()} == {*backups[3:], *others}
    assert rotate(tmp_path, 2) == []
    with pytest.raises(ValueError):
        rotate(tmp_path, 0)


def test_manifest_parsing_rejects_nonsense() -> None:
    with pytest.raises(BackupError, match="manifest is unreadable"):
        Manifest.from_json(b'{"schema_version": 1}', Path("x"))
    good = Manifest(1, "0.1.0", "2027-01-01T00:00:00+00:00", "db", {"a": 2}, 10, "0" * 64)
    assert Manifest.from_json(good.to_json(), Path("x")) == good
    assert good.documents == 2


# ---------------------------------------------------------------------------- the commands


async def _fill_database(uri: str, database: str) -> None:
    storage = Storage(uri, database)
    try:
        await fill(storage)
    finally:
        await storage.close()


async def _snapshot(uri: str, database: str) -> dict[str, list[bytes]]:
    storage = Storage(uri, database)
    try:
        return await snapshot(storage)
    finally:
        await storage.close()


def test_the_commands_back_up_rotate_and_restore(
    command_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    source, target = f"test_{secrets.token_hex(4)}", f"test_{secrets.token_hex(4)}"
    uri = command_database(source)
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in (1, 2, 3):
        (folder / backup_name(dt.datetime(2020, 1, day, tzinfo=dt.UTC))).write_bytes(b"old")
    try:
        asyncio.run(_fill_database(uri, source))

        assert ops_main("backup", ["--out", str(folder), "--keep", "2"]) == 0
        out = capsys.readouterr().out
        assert f"backed up database {source!r}" in out and "schema version 1" in out
        assert out.count("removed old backup") == 2
        kept = sorted(folder.iterdir())
        assert [p.name for p in kept][0] == backup_name(dt.datetime(2020, 1, 3, tzinfo=dt.UTC))
        new = kept[-1]

        monkeypatch.setenv("CODERUNNER_DB", target)
        assert ops_main("restore", [str(new)]) == 0
        out = capsys.readouterr().out
        assert f"restored {new} into database {target!r}" in out
        assert "1 submissions were still queued or running" in out

        assert ops_main("restore", [str(new)]) == 1
        assert "nothing restored: database" in capsys.readouterr().err

        truncated = tmp_path / "truncated.crbak"
        truncated.write_bytes(new.read_bytes()[:-200])
        assert ops_main("restore", [str(truncated), "--force"]) == 1
        assert "corrupt or truncated" in capsys.readouterr().err

        assert ops_main("restore", [str(new), "--force"]) == 0
        assert "dropped collection submissions (4 documents) (--force)" in (capsys.readouterr().out)
        assert asyncio.run(_snapshot(uri, target)) == asyncio.run(_snapshot(uri, source))
    finally:
        asyncio.run(drop_databases(uri, source, target))


def test_usage_and_configuration_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    assert ops_main("backup", ["--out", str(tmp_path)]) == 2
    assert "MONGODB_URI is not set" in capsys.readouterr().err

    monkeypatch.setenv("MONGODB_URI", "mongodb://127.0.0.1:1/")
    assert ops_main("backup", ["--out", str(tmp_path / "one.crbak"), "--keep", "3"]) == 2
    assert "--keep needs --out to be an existing folder" in capsys.readouterr().err
    assert ops_main("backup", ["--out", str(tmp_path), "--keep", "0"]) == 2
    assert ops_main("migrate", ["--config", "missing.py"]) == 2
    assert "config file 'missing.py' does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        cli.main(["restore"])  # PATH missing
    assert exit_.value.code == 2
    assert "coderunner backup --out PATH [--keep N]" in cli.USAGE


def test_a_server_that_does_not_answer_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONGODB_URI", "mongodb://admin:hunter2@127.0.0.1:1/")
    (tmp_path / "coderunner_grader_config.py").write_text(
        "c.GradingService.mongodb_timeout_seconds = 0.5\n"
    )
    assert ops_main("backup", ["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "MongoDB failed (database 'coderunner' at mongodb://admin:***@127.0.0.1:1/)" in err
    assert "hunter2" not in err
    assert list(tmp_path.glob("*.crbak")) == []


def test_settings_are_the_services_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.school.example:27017/")
    monkeypatch.setenv("CODERUNNER_DB", "from_env")
    assert load_settings(None).database == "from_env"
    (tmp_path / "coderunner_grader_config.py").write_text(
        "c.GradingService.mongodb_database = 'from_file'\n"
        "c.GradingService.submission_retention_days = 30\n"
    )
    settings = load_settings(None)
    assert (settings.uri, settings.database, settings.retention_days) == (
        "mongodb://db.school.example:27017/",
        "from_file",
        30,
    )
    assert redact("mongodb://u:p@h:1,h2:2/db?authSource=admin") == (
        "mongodb://u:***@h:1,h2:2/db?authSource=admin"
    )
    assert redact("mongodb://h:1/") == "mongodb://h:1/"
