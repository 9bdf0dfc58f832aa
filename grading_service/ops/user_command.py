"""``coderunner user export | erase`` and ``coderunner purge``: the admin's side of
``people.py`` and ``retention.py``.

Settings are the grading service's (``MONGODB_URI``, ``CODERUNNER_DB``, ``REDIS_URL``,
``c.Retention.*``, ``c.Admission.key_prefix`` ... from the environment or its config
file, ``--config PATH``), as for ``coderunner backup``. The hub is reached as
``coderunner hub prune-homes`` reaches it: ``--hub-api`` (default
``$JUPYTERHUB_API_URL``) with an admin token in ``$CODERUNNER_ADMIN_TOKEN`` (or
``$JUPYTERHUB_API_TOKEN``). Home volumes are those of ``--instance`` (default
``$CODERUNNER_INSTANCE``, else ``default``).

Exit codes: 0 done, 1 failed (for erase: some store could not be cleaned; the message
says which, and running it again is safe), 2 usage, configuration or refused.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from bson import json_util
from pymongo.errors import PyMongoError

from .command import UsageError, client, load_service, settings_of
from .people import Hub, Stores, admin_token, erase, export, hub_api_url

JSON_OPTIONS = json_util.JSONOptions(
    json_mode=json_util.JSONMode.RELAXED, tz_aware=True, tzinfo=None
)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="FILE",
        help="the grading service's config file (default: coderunner_grader_config.py in "
        "the working directory, when there is one)",
    )


def _learner(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="the learner's hub user name")
    p.add_argument(
        "--actor",
        default=None,
        help="who asks, for the audit record (default: the operating-system user)",
    )
    p.add_argument(
        "--hub-api",
        default=hub_api_url(),
        help="the hub's REST API (default: $JUPYTERHUB_API_URL, else the demo's); the "
        "admin token comes from $CODERUNNER_ADMIN_TOKEN or $JUPYTERHUB_API_TOKEN",
    )
    p.add_argument(
        "--instance",
        default=os.environ.get("CODERUNNER_INSTANCE", "default"),
        help="the installation whose Docker home volumes to look at (default: "
        "$CODERUNNER_INSTANCE, else default)",
    )
    p.add_argument("--no-hub", action="store_true", help="leave the hub alone")
    p.add_argument("--no-docker", action="store_true", help="leave Docker (home volumes) alone")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coderunner user",
        description="A parent's request: everything held about one learner, exported or erased.",
    )
    sub = p.add_subparsers(dest="action", required=True)
    ex = sub.add_parser(
        "export",
        help="write everything held about a learner as one JSON document",
        description="Write everything held about a learner (database, Redis, home volume "
        "and hub records) as one JSON document (MongoDB extended JSON, relaxed: dates are "
        '{"$date": "ISO 8601"}). The export is audited.',
    )
    _learner(ex)
    ex.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write to FILE (created readable by its owner only); default: standard output",
    )
    er = sub.add_parser(
        "erase",
        help="remove a learner everywhere",
        description="Remove a learner everywhere: hub user (and their server), home volume, "
        "submissions, progress, hints, attempts, privacy acceptances, limits, Redis keys. "
        "Audit records keep an opaque reference instead of the name. Audited.",
    )
    _learner(er)
    er.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for sp in (ex, er):
        _common(sp)
    return p


def purge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coderunner purge",
        description="Remove what is older than its retention period (c.Retention.*); the "
        "grading service also does it every Retention.purge_interval_seconds.",
    )
    p.add_argument("--dry-run", action="store_true", help="only count what would go")
    _common(p)
    return p


def _stores(args: argparse.Namespace, mongo: Any, database: str, service: Any) -> Stores:
    import redis.asyncio as redis

    from ..edge.admission import Admission
    from ..edge.request_limits import RequestLimits
    from ..jobs.queue import JobQueue

    stores = Stores(db=mongo[database])
    if service.redis_url:
        stores.redis = redis.from_url(service.redis_url, decode_responses=True)
        stores.key_prefixes = [
            Admission(stores.redis, JobQueue(stores.redis), parent=service).key_prefix,
            RequestLimits(stores.redis, parent=service).key_prefix,
        ]
    if not args.no_docker:
        stores.instance = args.instance
    if not args.no_hub:
        stores.hub = Hub.from_env(args.hub_api)
    return stores


def _confirm(name: str) -> bool:
    print(
        f"This removes learner {name!r} everywhere (hub user, home volume, submissions, "
        "progress, Redis keys); it cannot be undone.",
        file=sys.stderr,
    )
    try:
        answer = input("Type the learner's name again to erase: ")
    except EOFError:
        return False
    return answer.strip() == name


def main(argv: list[str]) -> int:
    """``coderunner user argv``; the exit code."""
    args = parser().parse_args(argv)  # exits 2 on bad usage
    actor = args.actor or getpass.getuser()
    try:
        service = load_service(args.config)  # one read of the configuration
        settings = settings_of(service)
        if args.action == "erase":
            if not service.redis_url:
                raise UsageError("REDIS_URL is not set: the learner's Redis keys would stay")
            if not args.no_hub and not admin_token():
                raise UsageError(
                    "set CODERUNNER_ADMIN_TOKEN (an admin API token of the hub) to delete the "
                    "hub user, or pass --no-hub"
                )
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UsageError("not a terminal: pass --yes to erase without asking")
                if not _confirm(args.name):
                    print("coderunner user erase: not confirmed; nothing erased", file=sys.stderr)
                    return 2
    except UsageError as exc:
        print(f"coderunner user {args.action}: {exc}", file=sys.stderr)
        return 2
    run = export_command if args.action == "export" else erase_command
    try:
        return asyncio.run(run(args, settings, service, actor))
    except PyMongoError as exc:
        print(
            f"coderunner user {args.action}: MongoDB failed ({settings.where}): {exc}",
            file=sys.stderr,
        )
        return 1


async def export_command(args: argparse.Namespace, settings: Any, service: Any, actor: str) -> int:
    mongo = client(settings)
    stores = _stores(args, mongo, settings.database, service)
    try:
        document = await export(stores, args.name, actor=actor, to="file" if args.out else "stdout")
    finally:
        await mongo.close()
        if stores.redis is not None:
            await stores.redis.aclose()
    text = json_util.dumps(document, json_options=JSON_OPTIONS, indent=2, ensure_ascii=False)
    if args.out is None:
        print(text)
        return 0
    try:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file too
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    except OSError as exc:
        print(f"coderunner user export: {exc}", file=sys.stderr)
        return 1
    held = sum(len(docs) for docs in document["mongodb"].values())
    keys = len(document.get("redis", {}))
    print(f"exported {held} database records and {keys} Redis keys to {args.out}")
    return 0


async def erase_command(args: argparse.Namespace, settings: Any, service: Any, actor: str) -> int:
    mongo = client(settings)
    stores = _stores(args, mongo, settings.database, service)
    try:
        done = await erase(stores, args.name, actor=actor)
    finally:
        await mongo.close()
        if stores.redis is not None:
            await stores.redis.aclose()
    print(f"erased learner; audit records now name them {done.reference}")
    for store, what in done.removed.items():
        counts = ", ".join(f"{k} {v}" for k, v in what.items()) or "nothing held"
        print(f"  {store}: {counts}")
    for store, why in done.errors.items():
        print(f"coderunner user erase: {store} failed: {why}; run it again", file=sys.stderr)
    return 0 if done.ok else 1


def purge_main(argv: list[str]) -> int:
    """``coderunner purge argv``; the exit code."""
    from .retention import Retention

    args = purge_parser().parse_args(argv)
    try:
        service = load_service(args.config)  # one read of the configuration
        settings = settings_of(service)
    except UsageError as exc:
        print(f"coderunner purge: {exc}", file=sys.stderr)
        return 2
    retention: Retention = service.init_retention()  # c.Retention.*, as the service's

    async def run() -> dict[str, int]:
        mongo = client(settings)
        try:
            return await retention.purge(mongo[settings.database], dry_run=args.dry_run)
        finally:
            await mongo.close()

    try:
        counts = asyncio.run(run())
    except PyMongoError as exc:
        print(f"coderunner purge: MongoDB failed ({settings.where}): {exc}", file=sys.stderr)
        return 1
    verb = "would remove" if args.dry_run else "removed"
    for name, count in counts.items():
        what = f"{verb} the code of" if name == "submissions.code" else verb
        print(f"{name}: {what} {count}")
    if not counts:
        print("every retention period is 0 (keep for ever): nothing to do")
    return 0
