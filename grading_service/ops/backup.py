"""Backups of the grading service's database: one compressed file per backup, restored
into an empty database.

A backup holds every collection of the database (found with ``list_collection_names``,
so a collection added by a later release is not forgotten), including the ``schema``
collection with the schema version. The file (``coderunner-backup-<UTC time>.crbak``)
is gzip around three parts:

1. ``coderunner-backup 1`` (the format number) on one line;
2. the manifest, JSON on one line: schema version, service version, when, the
   database's name, the count of documents of each collection in the order they follow,
   the size of the data and its SHA-256 (``zcat FILE | head -2`` shows both lines);
3. the documents, raw BSON exactly as the server sent them, collection after
   collection. Nothing is decoded and encoded again, so dates, binary, 32/64-bit
   integers, decimals, ids and the order of fields come back byte for byte.

A restore first reads the whole file and checks it (gzip's CRC, every document's
length, the counts, the size and the SHA-256): a corrupt or truncated file is refused
before anything is written. Only then does it write.

Consistency. MongoDB reads several collections at one point in time only in a snapshot
transaction, which needs a replica set; the single-node server Code Runner runs has
none. So a backup reads each collection fully, with one cursor, one after the other, in
name order, while the service goes on working. Every document is copied whole (a write
to one document is atomic), and everything written before the backup began is in it;
what is written while it runs may or may not be. Between collections this can show: a
submission graded while the backup runs may be in ``submissions`` as still running and
yet counted in ``progress`` (which is read first), and the jobs of submissions still
queued or running live in Redis, which is not backed up: after a restore their learners
submit again. For a fully quiesced copy, stop the grading service (the only writer of
this database) for the minute the backup takes: ``systemctl stop`` it, or stop the hub
that runs it as a managed service, then ``coderunner backup``, then start it again.

Backups hold children's data: files are created readable by their owner only (0600).
These functions run in the ``coderunner`` command's own event loop, never in the
service's; the long file work (writing, checking) still runs in a thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import bson
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from .. import __version__
from . import migrations
from .migrations import SCHEMA_COLLECTION, Database

FORMAT = 1
MAGIC = b"coderunner-backup"
SUFFIX = ".crbak"
NAME_PATTERN = re.compile(r"^coderunner-backup-\d{8}T\d{6}Z\.crbak$")
"""What ``--keep`` rotates: files named as ``backup_name`` names them, nothing else."""

RAW = CodecOptions(document_class=RawBSONDocument)
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # BSON documents stop at 16 MiB; more is damage
MAX_MANIFEST_BYTES = 1024 * 1024
INSERT_BATCH = 1000  # documents per insert_many while restoring


class BackupError(Exception):
    """A backup that cannot be made, read or restored; the message says why."""


class RestoreRefused(BackupError):
    """The target database holds data and ``force`` was not given."""


@dataclass(frozen=True)
class Manifest:
    schema_version: int
    service_version: str
    created_at: str
    database: str
    collections: dict[str, int]
    """Documents per collection, in the order the data holds them."""
    data_bytes: int
    sha256: str
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, line: bytes, source: Path) -> Manifest:
        try:
            data = json.loads(line)
            manifest = cls(
                schema_version=int(data["schema_version"]),
                service_version=str(data["service_version"]),
                created_at=str(data["created_at"]),
                database=str(data["database"]),
                collections={str(k): int(v) for k, v in dict(data["collections"]).items()},
                data_bytes=int(data["data_bytes"]),
                sha256=str(data["sha256"]),
                format=int(data["format"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{source}: the manifest is unreadable ({exc})") from None
        if any(count < 0 for count in manifest.collections.values()) or manifest.data_bytes < 0:
            raise BackupError(f"{source}: the manifest holds negative counts")
        return manifest

    @property
    def documents(self) -> int:
        return sum(self.collections.values())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def backup_name(now: dt.datetime) -> str:
    return f"coderunner-backup-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"


def target_path(out: Path, now: dt.datetime) -> Path:
    """``out`` itself, or a timestamped file inside it when it is a folder."""
    if out.is_dir():
        return out / backup_name(now)
    if not out.parent.is_dir():
        raise BackupError(f"folder {out.parent} does not exist")
    return out


async def collection_names(db: Database) -> list[str]:
    """Every collection of the database but the server's own (``system.*``), by name."""
    return sorted(n for n in await db.list_collection_names() if not n.startswith("system."))


# ---------------------------------------------------------------------------- backup


def is_outside(name: str) -> bool:
    """Whether a part of a backup comes from outside the database (``hub:groups``, the
    hub's cohorts): never a collection name, which cannot hold a colon here."""
    return ":" in name


async def create_backup(
    db: Database,
    out: Path,
    *,
    now: dt.datetime | None = None,
    outside: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[Path, Manifest]:
    """Write a backup of ``db`` to ``out`` (a file, or a folder to make one in), check
    it by reading it back, and return its path and manifest. ``outside`` adds records
    that do not live in the database (``hub:groups``: the cohorts' settings), after the
    collections.

    The documents are spooled to an unnamed temporary file next to the target first,
    because the manifest (their counts and checksum) comes before them; the backup is
    written under a hidden ``.partial`` name and renamed when complete, so a failed or
    interrupted backup never looks like one.
    """
    now = now or utcnow()
    path = target_path(out, now)
    if path.exists():
        raise BackupError(f"{path} already exists; it is not overwritten")
    schema_version = await migrations.current_version(db)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with tempfile.TemporaryFile(dir=path.parent) as spool:
            digest, counts, size = hashlib.sha256(), {}, 0
            for name in await collection_names(db):
                count = 0
                async for doc in db.get_collection(name, codec_options=RAW).find():
                    raw = doc.raw
                    spool.write(raw)
                    digest.update(raw)
                    size += len(raw)
                    count += 1
                counts[name] = count
            for name, docs in (outside or {}).items():
                if not is_outside(name):
                    raise ValueError(f"{name!r} would read back as a collection")
                for doc in docs:
                    raw = bson.encode(doc)
                    spool.write(raw)
                    digest.update(raw)
                    size += len(raw)
                counts[name] = len(docs)
            manifest = Manifest(
                schema_version=schema_version,
                service_version=__version__,
                created_at=now.astimezone(dt.UTC).isoformat(timespec="seconds"),
                database=db.name,
                collections=counts,
                data_bytes=size,
                sha256=digest.hexdigest(),
            )
            spool.seek(0)
            await asyncio.to_thread(_write, partial, manifest, spool)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    await asyncio.to_thread(verify, path)
    return path, manifest


def _write(partial: Path, manifest: Manifest, documents: IO[bytes]) -> None:
    """The backup file, readable by its owner only: header, manifest, then the spooled
    documents; on disk (fsync) before it is renamed."""
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "wb") as file:
        with gzip.GzipFile(filename="", mode="wb", fileobj=file, compresslevel=6) as gz:
            gz.write(MAGIC + b" %d\n" % FORMAT)
            gz.write(manifest.to_json() + b"\n")
            shutil.copyfileobj(documents, gz, 1024 * 1024)
        file.flush()
        os.fsync(file.fileno())


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest backups in ``folder`` beyond the newest ``keep``; returns
    what was deleted. Only files named as this module names backups are touched (their
    names sort by time)."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    backups = sorted(p for p in folder.iterdir() if NAME_PATTERN.match(p.name) and p.is_file())
    old = backups[:-keep]
    for path in old:
        path.unlink()
    return old


# ---------------------------------------------------------------------------- reading


class BackupReader:
    """A backup file opened for reading: ``manifest``, then ``documents()``. Every
    failure of the file (bad gzip data, a CRC mismatch, an early end) is a
    BackupError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: gzip.GzipFile | None = None
        self.manifest: Manifest

    def __enter__(self) -> BackupReader:
        try:
            self._file = gzip.open(self.path, "rb")
        except OSError as exc:
            raise BackupError(f"cannot read {self.path}: {exc}") from None
        try:
            header = self._readline(64)
            if header != MAGIC + b" %d\n" % FORMAT:
                if header.startswith(MAGIC + b" "):
                    raise BackupError(
                        f"{self.path}: backup format {header[len(MAGIC) :].strip().decode()!r}"
                        f" is not one this release reads (format {FORMAT})"
                    )
                raise BackupError(f"{self.path} is not a Code Runner backup")
            self.manifest = Manifest.from_json(self._readline(MAX_MANIFEST_BYTES), self.path)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def documents(self) -> Iterator[tuple[str, bytes]]:
        """(collection, raw BSON) of every document, in the file's order; the file must
        end right after the last one the manifest counts."""
        for name, count in self.manifest.collections.items():
            for _ in range(count):
                yield name, self._document()
        if self._read(1):
            raise BackupError(f"{self.path} holds more documents than its manifest counts")

    def _document(self) -> bytes:
        head = self._read_exactly(4)
        length = int.from_bytes(head, "little", signed=True)
        if not 5 <= length <= MAX_DOCUMENT_BYTES:
            raise BackupError(f"{self.path} is corrupt: a document claims {length} bytes")
        raw = head + self._read_exactly(length - 4)
        if raw[-1] != 0:
            raise BackupError(f"{self.path} is corrupt: a document does not end as BSON does")
        return raw

    def _read_exactly(self, size: int) -> bytes:
        data = self._read(size)
        if len(data) != size:
            raise BackupError(
                f"{self.path} is truncated: it ends before the documents its manifest counts"
            )
        return data

    def _read(self, size: int) -> bytes:
        assert self._file is not None
        try:
            return self._file.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"{self.path} is corrupt or truncated ({exc})") from None

    def _readline(self, limit: int) -> bytes:
        assert self._file is not None
        try:
            line = self._file.readline(limit)
        except (OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"{self.path} is corrupt or truncated ({exc})") from None
        if not line.endswith(b"\n"):
            raise BackupError(f"{self.path} is not a Code Runner backup (or is truncated)")
        return line


def verify(path: Path) -> Manifest:
    """Read the whole backup and check it against its manifest; its manifest, or
    BackupError saying what is wrong."""
    with BackupReader(path) as reader:
        digest, size = hashlib.sha256(), 0
        for _, raw in reader.documents():
            digest.update(raw)
            size += len(raw)
        manifest = reader.manifest
    if size != manifest.data_bytes or digest.hexdigest() != manifest.sha256:
        raise BackupError(
            f"{path} is corrupt: its data does not match the checksum in its manifest"
        )
    return manifest


# ---------------------------------------------------------------------------- restore


@dataclass
class RestoreReport:
    manifest: Manifest
    dropped: dict[str, int] = field(default_factory=dict)
    """Collections that held documents and were dropped, with their counts: the data
    (``force``) and a schema version stamped by a service already started there."""
    unfinished_submissions: int = 0
    """Submissions restored as queued or running: their jobs were in Redis."""


async def restore_backup(
    db: Database,
    path: Path,
    *,
    force: bool = False,
    ensure_indexes: Callable[[], Awaitable[None]] | None = None,
    latest_schema: int = migrations.LATEST,
) -> RestoreReport:
    """Restore the backup at ``path`` into ``db``, which must hold no documents (the
    schema version does not count) unless ``force``: then every collection of ``db``
    is dropped first. Afterwards ``ensure_indexes`` (the service's own) makes the
    indexes, and the schema version is the file's; the service's migrations bring it up
    to date at its next start (or ``coderunner migrate``).

    Nothing is written when the file is corrupt, truncated, from a newer schema than
    this release knows, or the database holds data and ``force`` is not given.
    """
    manifest = await asyncio.to_thread(verify, path)
    if manifest.schema_version > latest_schema:
        raise BackupError(
            f"{path} has schema version {manifest.schema_version}, made by Code Runner "
            f"{manifest.service_version}; this release knows versions up to "
            f"{latest_schema}: restore it with that release or a newer one"
        )
    existing = await collection_names(db)
    held = {name: await db[name].count_documents({}) for name in existing}
    data = {name: count for name, count in held.items() if count and name != SCHEMA_COLLECTION}
    if data and not force:
        listed = ", ".join(f"{name} ({count})" for name, count in data.items())
        raise RestoreRefused(
            f"database {db.name!r} is not empty: {listed}. Restore into an empty database, "
            "or pass --force to drop these collections first"
        )
    report = RestoreReport(manifest, dropped={n: c for n, c in held.items() if c})
    for name in existing:
        await db.drop_collection(name)
    try:
        await _insert_all(db, path)
        for name, count in manifest.collections.items():
            if is_outside(name):  # restore_outside's, not the database's
                continue
            if count == 0:  # an empty collection is restored empty, not left out
                await db.create_collection(name)
            found = await db[name].count_documents({})
            if found != count:
                raise BackupError(f"{name}: {found} documents restored, {count} in the backup")
    except Exception as exc:
        raise BackupError(
            f"restore failed part-way ({exc}); the database holds a partial copy: "
            "run the restore again with --force"
        ) from exc
    if await migrations.current_version(db) != manifest.schema_version:
        # A backup taken between versions stored none, or an older one; the file's wins.
        await db[SCHEMA_COLLECTION].replace_one(
            {"_id": migrations.VERSION_ID},
            {"version": manifest.schema_version, "migrated_at": utcnow(), "restored": True},
            upsert=True,
        )
    if ensure_indexes is not None:
        await ensure_indexes()
    if "submissions" in manifest.collections:
        report.unfinished_submissions = await db["submissions"].count_documents(
            {"status": {"$in": ["queued", "running"]}}
        )
    return report


async def _insert_all(db: Database, path: Path) -> None:
    with BackupReader(path) as reader:
        batch: list[Any] = []
        current = ""
        for name, raw in reader.documents():
            if is_outside(name):
                continue
            if name != current or len(batch) >= INSERT_BATCH:
                if batch:
                    await db.get_collection(current, codec_options=RAW).insert_many(batch)
                batch, current = [], name
            batch.append(RawBSONDocument(raw))
        if batch:
            await db.get_collection(current, codec_options=RAW).insert_many(batch)


def read_outside(path: Path, name: str) -> list[dict[str, Any]]:
    """The records of ``name`` (e.g. ``hub:groups``) in a checked backup; [] if none."""
    with BackupReader(path) as reader:
        return [bson.decode(raw) for part, raw in reader.documents() if part == name]
