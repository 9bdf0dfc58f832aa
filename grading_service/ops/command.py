"""``coderunner backup | restore | migrate``: the admin's side of ``backup.py`` and
``migrations.py``.

The database is the grading service's own: its settings (``mongodb_uri``,
``mongodb_database``, ``mongodb_timeout_seconds``, ``Retention.verdict_retention_days``) are
read the way the service reads them, from ``$MONGODB_URI`` and ``$CODERUNNER_DB`` or
the service's config file (``coderunner_grader_config.py`` in the working directory,
or ``--config PATH``). Exit codes: 0 done, 1 failed (nothing written unless the message
says so), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from . import hub_groups, migrations
from .backup import (
    BackupError,
    RestoreRefused,
    create_backup,
    read_outside,
    restore_backup,
    rotate,
)
from .people import Hub, HubError


@dataclass(frozen=True)
class DatabaseSettings:
    uri: str
    database: str
    timeout_seconds: float
    retention_days: int

    @property
    def where(self) -> str:
        """The database named for messages, without the URI's password."""
        return f"database {self.database!r} at {redact(self.uri)}"


class UsageError(Exception):
    """Bad options or configuration: exit code 2."""


def redact(uri: str) -> str:
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    user, _, host = parts.netloc.rpartition("@")
    name = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}" if ":" in user else parts.netloc))


def load_service(config_file: str | None) -> Any:
    """The grading service's configuration (a ``GradingService`` not started), loaded as
    the service loads it: its config file, then the environment."""
    from ..app import ConfigError, GradingService

    service = GradingService()
    if config_file:
        service.config_file = config_file
    try:
        service.load_config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return service


def load_settings(config_file: str | None) -> DatabaseSettings:
    """The grading service's database settings, read as the service reads them."""
    return settings_of(load_service(config_file))


def settings_of(service: Any) -> DatabaseSettings:
    """The database settings of a loaded ``GradingService`` configuration."""
    if not service.mongodb_uri:
        raise UsageError(
            "MONGODB_URI is not set (MongoDB connection string; or set "
            "c.GradingService.mongodb_uri in the service's config file)"
        )
    return DatabaseSettings(
        service.mongodb_uri,
        service.mongodb_database,
        service.mongodb_timeout_seconds,
        service.init_retention().verdict_retention_days,
    )


def client(settings: DatabaseSettings) -> AsyncMongoClient:
    # No timeoutMS, unlike the service's client: reading a whole collection is one
    # cursor, and a deadline for all of it would cut a large backup short. Finding the
    # server is still bounded.
    return AsyncMongoClient(
        settings.uri,
        serverSelectionTimeoutMS=int(settings.timeout_seconds * 1000),
        tz_aware=True,
    )


def parser(command: str) -> argparse.ArgumentParser:
    config = {
        "metavar": "FILE",
        "help": "the grading service's config file (default: coderunner_grader_config.py "
        "in the working directory, when there is one); MONGODB_URI and CODERUNNER_DB "
        "otherwise",
    }
    if command == "backup":
        p = argparse.ArgumentParser(
            prog="coderunner backup",
            description="Write every collection of the grading service's database to one "
            "compressed file with a manifest (counts, schema version, SHA-256). The service "
            "may keep running; see docs/backups.md for what that means.",
        )
        p.add_argument(
            "--out",
            type=Path,
            required=True,
            metavar="PATH",
            help="a folder (a file coderunner-backup-YYYYmmddTHHMMSSZ.crbak is made in it) "
            "or a file name",
        )
        p.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="then delete the oldest backups in that folder beyond the newest N "
            "(only files named coderunner-backup-*.crbak; needs --out to be a folder)",
        )
        p.add_argument(
            "--no-hub",
            action="store_true",
            help="leave out the cohorts' settings (the hub's groups, read through "
            "$JUPYTERHUB_API_URL with the admin token in $CODERUNNER_ADMIN_TOKEN)",
        )
    elif command == "restore":
        p = argparse.ArgumentParser(
            prog="coderunner restore",
            description="Check a backup file, then restore it into the grading service's "
            "database, which must be empty. Stop the grading service first.",
        )
        p.add_argument("path", type=Path, metavar="PATH", help="the backup file")
        p.add_argument(
            "--force",
            action="store_true",
            help="drop every collection of a database that is not empty, then restore",
        )
        p.add_argument(
            "--hub",
            action="store_true",
            help="also put the cohorts' settings back into the hub: create its groups, set "
            "their properties, add their members ($JUPYTERHUB_API_URL, "
            "$CODERUNNER_ADMIN_TOKEN)",
        )
    else:
        p = argparse.ArgumentParser(
            prog="coderunner migrate",
            description="Bring the database's schema up to this release's version (the "
            "grading service also does it at start).",
        )
        p.add_argument(
            "--dry-run", action="store_true", help="only print the versions and what would run"
        )
    p.add_argument("--config", **config)  # type: ignore[arg-type]
    return p


def main(command: str, argv: list[str]) -> int:
    """Run ``coderunner <command> argv``; the exit code."""
    args = parser(command).parse_args(argv)  # exits 2 on bad usage
    try:
        if command == "backup" and args.keep is not None:
            if args.keep < 1:
                raise UsageError("--keep must be at least 1")
            if not args.out.is_dir():
                raise UsageError(f"--keep needs --out to be an existing folder, not {args.out}")
        settings = load_settings(args.config)
    except UsageError as exc:
        print(f"coderunner {command}: {exc}", file=sys.stderr)
        return 2
    run = {"backup": backup, "restore": restore, "migrate": migrate}[command]
    try:
        return asyncio.run(run(args, settings))
    except PyMongoError as exc:
        print(f"coderunner {command}: MongoDB failed ({settings.where}): {exc}", file=sys.stderr)
        return 1


async def backup(args: argparse.Namespace, settings: DatabaseSettings) -> int:
    outside: dict[str, list[dict[str, Any]]] = {}
    hub = None if args.no_hub else Hub.from_env()
    if hub is not None:
        try:
            outside[hub_groups.COLLECTION] = await hub_groups.read_groups(hub)
        except (HubError, OSError) as exc:
            print(
                f"coderunner backup: cannot read the cohorts from the hub ({exc}); "
                "nothing written (--no-hub leaves them out)",
                file=sys.stderr,
            )
            return 1
    elif not args.no_hub:
        print(
            "coderunner backup: no hub token ($CODERUNNER_ADMIN_TOKEN): the cohorts' "
            "settings (the hub's groups) are not in this backup",
            file=sys.stderr,
        )
    mongo = client(settings)
    try:
        path, manifest = await create_backup(mongo[settings.database], args.out, outside=outside)
    except (BackupError, OSError) as exc:
        print(f"coderunner backup: {exc}", file=sys.stderr)
        return 1
    finally:
        await mongo.close()
    counts = ", ".join(f"{name} {count}" for name, count in manifest.collections.items())
    print(
        f"backed up {settings.where} to {path}: {manifest.documents} documents "
        f"({counts or 'no collections'}), schema version {manifest.schema_version}, "
        f"sha256 {manifest.sha256}"
    )
    if args.keep is not None:
        for old in rotate(args.out, args.keep):
            print(f"removed old backup {old}")
    return 0


async def restore(args: argparse.Namespace, settings: DatabaseSettings) -> int:
    from ..storage import Storage

    async def ensure_indexes() -> None:
        storage = Storage(
            settings.uri, settings.database, timeout_ms=int(settings.timeout_seconds * 1000)
        )
        try:
            await storage.ensure_indexes(settings.retention_days * 86400)
        finally:
            await storage.close()

    mongo = client(settings)
    try:
        report = await restore_backup(
            mongo[settings.database], args.path, force=args.force, ensure_indexes=ensure_indexes
        )
    except RestoreRefused as exc:
        print(f"coderunner restore: nothing restored: {exc}", file=sys.stderr)
        return 1
    except BackupError as exc:
        print(f"coderunner restore: {exc}", file=sys.stderr)
        return 1
    finally:
        await mongo.close()
    manifest = report.manifest
    for name, count in report.dropped.items():
        print(f"dropped collection {name} ({count} documents)" + (" (--force)" * args.force))
    print(
        f"restored {args.path} into {settings.where}: {manifest.documents} documents in "
        f"{len(manifest.collections)} collections, backed up {manifest.created_at} by Code "
        f"Runner {manifest.service_version}; indexes made"
    )
    if manifest.schema_version < migrations.LATEST:
        print(
            f"schema version {manifest.schema_version}: the grading service migrates it to "
            f"{migrations.LATEST} at its next start (or run coderunner migrate)"
        )
    groups = manifest.collections.get(hub_groups.COLLECTION)
    if groups is not None and not args.hub:
        print(
            f"the backup also holds {groups} cohorts (the hub's groups): restore with --hub "
            "to put them back into the hub as well"
        )
    elif args.hub:
        hub = Hub.from_env()
        if hub is None:
            print("coderunner restore: --hub needs $CODERUNNER_ADMIN_TOKEN", file=sys.stderr)
            return 1
        try:
            done = await hub_groups.restore_groups(
                hub, read_outside(args.path, hub_groups.COLLECTION)
            )
        except (HubError, OSError) as exc:
            print(f"coderunner restore: the cohorts were not restored: {exc}", file=sys.stderr)
            return 1
        print(
            f"cohorts: {len(done.created)} created, {len(done.updated)} updated, "
            f"{done.members_added} memberships"
            + (
                f"; not on the hub any more: {', '.join(sorted(set(done.unknown_members)))}"
                if done.unknown_members
                else ""
            )
        )
    if report.unfinished_submissions:
        print(
            f"{report.unfinished_submissions} submissions were still queued or running when "
            "the backup was taken; their jobs are not in the backup, so those learners "
            "submit again"
        )
    return 0


async def migrate(args: argparse.Namespace, settings: DatabaseSettings) -> int:
    mongo = client(settings)
    db = mongo[settings.database]
    try:
        todo = await migrations.plan(db)
        print(f"{settings.where}: schema version {todo.current}; this release's is {todo.target}")
        if args.dry_run:
            for m in todo.pending:
                print(f"would apply {m.number}. {m.title}")
            return 0
        for m in (await migrations.migrate(db)).pending:
            print(f"applied {m.number}. {m.title}")
        print(f"schema version {await migrations.current_version(db)}")
        return 0
    except migrations.SchemaTooNew as exc:
        print(f"coderunner migrate: {exc}", file=sys.stderr)
        return 1
    finally:
        await mongo.close()
