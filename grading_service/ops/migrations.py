"""The database's schema version, and the migrations that bring it up to date.

The version is one document, ``{_id: "version", version: N, migrated_at, history}``, in
the ``schema`` collection. A database without it was written before versions were
stored: version 0. The grading service applies every pending migration at start, before
it ensures its indexes (``GradingService.start_serving``), and refuses to start on a
database whose version is newer than the code: a release cannot know what a later one
wrote, and guessing could damage learners' data. ``coderunner migrate`` does the same by
hand (``--dry-run`` only says what it would do).

Writing a migration: an ``async def`` taking the database, with a docstring whose first
line says what it does, appended to ``MIGRATIONS`` with the next number. It must be
idempotent: it may run again after a crash before its number was recorded, and two
services started side by side (a rolling upgrade) may both run it at once. So it
selects only what still needs changing (``{"field": {"$exists": False}}``, ``$set`` to
a value computed from the document itself), never ``$inc`` or ``$push`` blindly. It
runs under the service's per-operation timeout (``mongodb_timeout_seconds``), so a
change to a large collection is done in one ``update_many``, not document by document.
Existing migrations are never edited once released: a fix is a new migration.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from .. import __version__

SCHEMA_COLLECTION = "schema"
VERSION_ID = "version"

Database = AsyncDatabase[Any]


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release than this code."""


@dataclass(frozen=True)
class Migration:
    number: int
    apply: Callable[[Database], Awaitable[None]]

    @property
    def title(self) -> str:
        """The first line of the migration's docstring."""
        return (self.apply.__doc__ or self.apply.__name__).strip().splitlines()[0]


# ---------------------------------------------------------------------------- migrations


async def stamp_current_layout(db: Database) -> None:
    """Record the layout of release 0.1.0 as schema version 1 (no data changes).

    Release 0.1.0 stored no version; its collections (submissions, progress,
    privacy_acceptances, limit_overrides, audit, assessments, assessment_attempts,
    leaderboards, hint_reveals) are exactly what version 1 means, so there is nothing
    to convert. Its datetimes are all BSON dates (UTC), including assessments'
    ``opens_at``/``closes_at``; the ISO strings in API answers are made when answering,
    never stored, so no timestamp needs normalising either.
    """


MIGRATIONS: tuple[Migration, ...] = (Migration(1, stamp_current_layout),)


def check_sequence(migrations: Sequence[Migration]) -> None:
    """Migrations are numbered 1, 2, 3 ... without gaps (a gap is a merge mistake)."""
    numbers = [m.number for m in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"migrations must be numbered 1..N in order, not {numbers}")


check_sequence(MIGRATIONS)
LATEST = len(MIGRATIONS)


# ---------------------------------------------------------------------------- the version


async def current_version(db: Database) -> int:
    """The stored schema version; 0 when none is stored (written before versions)."""
    doc = await db[SCHEMA_COLLECTION].find_one({"_id": VERSION_ID})
    return 0 if doc is None else int(doc.get("version", 0))


async def record_version(db: Database, version: int, title: str) -> None:
    """Record that the database is now at ``version``, unless it already is (or beyond:
    another service starting beside this one got there first)."""
    now = dt.datetime.now(dt.UTC)
    try:
        await db[SCHEMA_COLLECTION].update_one(
            {"_id": VERSION_ID, "version": {"$lt": version}},
            {
                "$set": {"version": version, "migrated_at": now, "service_version": __version__},
                "$push": {
                    "history": {
                        "version": version,
                        "title": title,
                        "at": now,
                        "service_version": __version__,
                    }
                },
            },
            upsert=True,
        )
    except DuplicateKeyError:
        pass  # the document is there with this version or a later one


@dataclass
class Plan:
    """Where the database is, where this code takes it, and what that needs."""

    current: int
    target: int
    pending: list[Migration] = field(default_factory=list)

    def describe(self) -> str:
        if not self.pending:
            return f"schema version {self.current}: up to date"
        steps = "; ".join(f"{m.number}. {m.title}" for m in self.pending)
        return f"schema version {self.current} -> {self.target} ({steps})"


async def plan(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> Plan:
    """What ``migrate`` would do; SchemaTooNew when the database is ahead of the code."""
    check_sequence(migrations)
    target = len(migrations)
    current = await current_version(db)
    if current > target:
        raise SchemaTooNew(
            f"the database's schema version is {current}, but this release of Code Runner "
            f"({__version__}) knows versions up to {target}: it was written by a newer "
            "release. Run that release (or a newer one), or restore a backup made before "
            "the upgrade (coderunner restore --force)."
        )
    return Plan(current, target, [m for m in migrations if m.number > current])


async def migrate(
    db: Database,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    log: logging.Logger | None = None,
) -> Plan:
    """Apply every pending migration in order, recording the version after each, so a
    crash part-way resumes at the first one not recorded. Returns the plan carried out.
    """
    todo = await plan(db, migrations)
    for migration in todo.pending:
        if log:
            log.info("migrating the database: %d. %s", migration.number, migration.title)
        await migration.apply(db)
        await record_version(db, migration.number, migration.title)
    if log:
        log.info("database %s", todo.describe())
    return todo
