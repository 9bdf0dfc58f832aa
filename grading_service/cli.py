"""The ``coderunner`` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# The folder above the package: a source checkout when it holds pyproject.toml, else
# (installed) site-packages, where nothing is ours to read.
CHECKOUT = Path(__file__).resolve().parent.parent

USAGE = """usage: coderunner <command> [options]

commands:
  grader     run the grading service (normally started by JupyterHub as a service)
  token      mint a JWT for a service account or batch grader, or make a new secret:
               coderunner token --subject NAME [--role grader|service|teacher]
                                [--groups g1,g2] [--lifetime SECONDS]
               coderunner token --new-secret
             (secret from CODERUNNER_JWT_SECRET or CODERUNNER_JWT_SECRET_FILE)
  content    problems: validate | new | import   (coderunner content --help)
  grade      batch grading of learners' files, folders or nbgrader's submitted/ folder:
               coderunner grade --problem ID (--local | --url URL) [--jobs N]
                                [--out DIR] [--regrade] PATH...
             (results.csv and results.json; resumable; coderunner grade --help)
  hub        hub upkeep: prune-homes [--apply] deletes the home volumes of users
             removed from the hub (a dry run without --apply)
  backup     copy the grading service's database to one compressed file:
               coderunner backup --out PATH [--keep N]
             (PATH a folder or a file; --keep N deletes the oldest beyond N)
  restore    check a backup and restore it into an empty database:
               coderunner restore PATH [--force]   (--force drops what is there)
  migrate    bring the database's schema up to date (the service does it at start):
               coderunner migrate [--dry-run]
             (database settings as the service's: MONGODB_URI, CODERUNNER_DB or
             --config FILE; docs/backups.md)
  purge      remove what is past its retention period (c.Retention.*; the service
             also does it hourly):  coderunner purge [--dry-run]
  user       a parent's request about their child:
               coderunner user export NAME [--out FILE]
               coderunner user erase NAME [--yes]   (hub user, home volume, data)
             (coderunner user export --help; hub token from CODERUNNER_ADMIN_TOKEN)
  version    print the version (also: coderunner --version)
"""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return
    command, rest = args[0], args[1:]
    if command == "grader":
        from .app import main as grader_main

        grader_main(rest)
    elif command == "token":
        token_main(rest)
    elif command == "content":
        sys.exit(content_main(rest))
    elif command == "grade":
        from .batch.command import main as grade_main

        sys.exit(grade_main(rest, default_image=_default_image))
    elif command in ("backup", "restore", "migrate"):
        from .ops.command import main as ops_main

        sys.exit(ops_main(command, rest))
    elif command == "user":
        from .ops.user_command import main as user_main

        sys.exit(user_main(rest))
    elif command == "purge":
        from .ops.user_command import purge_main

        sys.exit(purge_main(rest))
    elif command == "hub" and rest[:1] == ["prune-homes"]:
        from hub_config.homes import main as prune_homes

        sys.exit(prune_homes(rest[1:]))
    elif command in ("version", "--version", "-V"):
        from . import __version__

        print(__version__)
    else:
        print(f"coderunner: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)


def token_parser() -> argparse.ArgumentParser:
    from .edge.tokens import ROLES

    parser = argparse.ArgumentParser(
        prog="coderunner token",
        description="Print a JWT (HS256) for a service account or batch grader, signed with "
        "the secret in CODERUNNER_JWT_SECRET or the file named by "
        "CODERUNNER_JWT_SECRET_FILE. Issuer, audience and lifetime limits come "
        "from CODERUNNER_JWT_* as for the grading service.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--subject", help="account name; the service sees it as service:NAME")
    action.add_argument(
        "--new-secret",
        action="store_true",
        help="print a fresh random secret (32 bytes, hex) and exit",
    )
    parser.add_argument(
        "--role", choices=ROLES, default="grader", help="what the account may do (default: grader)"
    )
    parser.add_argument(
        "--groups", default="", help="comma-separated groups, e.g. course-a,course-b"
    )
    parser.add_argument(
        "--lifetime",
        type=int,
        metavar="SECONDS",
        help="seconds until the token expires (default: "
        "CODERUNNER_JWT_DEFAULT_LIFETIME_SECONDS, else 3600)",
    )
    return parser


def token_main(argv: list[str]) -> None:
    from traitlets import TraitError

    from .edge.tokens import NAME_PREFIX, TokenConfig, mint, new_secret

    args = token_parser().parse_args(argv)
    if args.new_secret:
        print(new_secret())
        return
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    config = TokenConfig()
    try:
        lifetime = args.lifetime
        if lifetime is None:
            lifetime = config.default_lifetime_seconds
        token = mint(
            config.load_key(),
            args.subject,
            role=args.role,
            groups=groups,
            lifetime_seconds=lifetime,
            issuer=config.issuer,
            audience=config.audience,
            max_lifetime_seconds=config.max_lifetime_seconds,
        )
    except (ValueError, TraitError) as exc:
        print(f"coderunner token: {exc}", file=sys.stderr)
        sys.exit(2)
    print(token)
    print(
        f"coderunner token: {NAME_PREFIX}{args.subject} (role {args.role}), valid for "
        f"{lifetime} seconds, audience {config.audience!r}",
        file=sys.stderr,
    )


def content_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coderunner content", description="Check, scaffold and import problems."
    )
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="content folder (default: ./content)"
    )
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser(
        "validate", help="check metadata, layout and every problem in real sandboxes"
    )
    check.add_argument(
        "--image",
        default=None,
        help="sandbox image (default: $CODERUNNER_SANDBOX_IMAGE, else, in a source "
        "checkout, the one `make image` built)",
    )
    check.add_argument(
        "--static-only",
        action="store_true",
        help="skip the sandbox checks (solutions pass, starters fail)",
    )
    check.add_argument(
        "--no-liars",
        action="store_true",
        help="skip grading the lying solutions (weak-test warnings)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail when a lying solution passes a test, not only warn",
    )
    check.add_argument("--min-public", type=int, default=2)
    check.add_argument("--min-hidden", type=int, default=4)
    check.add_argument("--parallel", type=int, default=3, help="sandboxes at once")
    check.add_argument("--track", default=None, help="check only this track")
    new = sub.add_parser("new", help="scaffold a problem")
    new.add_argument("--track", required=True)
    new.add_argument("--level", type=int, required=True)
    new.add_argument("--id", required=True, dest="problem_id")
    new.add_argument("--title", required=True)
    new.add_argument("--kind", choices=["function", "program"], default="function")
    new.add_argument("--points", type=int, default=10)
    imp = sub.add_parser("import", help="import exercises in the common layout")
    imp.add_argument("source", type=Path, help="folder with one sub-folder per exercise")
    imp.add_argument("--track", required=True)
    imp.add_argument(
        "--public-share",
        type=float,
        default=0.34,
        help="share of each exercise's tests made public (default 0.34)",
    )
    imp.add_argument(
        "--levels",
        default="",
        help="difficulty to level map, e.g. '1:1,2:1,3:2,...' (default: "
        "1-2→1, 3-4→2, 5-6→3, 7-8→4, 9-10→5)",
    )
    return parser


def _default_image() -> str | None:
    """$CODERUNNER_SANDBOX_IMAGE; else, as a development fallback when running from a
    source checkout (not an installed package), the image `make image` recorded in
    ``$CODERUNNER_STATE_DIR/sandbox-image`` (default ``<checkout>/.state``)."""
    if os.environ.get("CODERUNNER_SANDBOX_IMAGE"):
        return os.environ["CODERUNNER_SANDBOX_IMAGE"]
    if not (CHECKOUT / "pyproject.toml").is_file():
        return None
    state = Path(os.environ.get("CODERUNNER_STATE_DIR") or CHECKOUT / ".state")
    marker = state / "sandbox-image"
    return marker.read_text().strip() if marker.is_file() else None


def content_main(argv: list[str]) -> int:
    from .content.store import ContentError
    from .content.tools import import_exercises, new_problem, validate

    args = content_parser().parse_args(argv)
    root = args.content.resolve()
    try:
        if args.action == "validate":
            image = None if args.static_only else (args.image or _default_image())
            if not args.static_only and not image:
                print(
                    "coderunner content validate: no sandbox image; build one with "
                    "`make image`, pass --image, or use --static-only",
                    file=sys.stderr,
                )
                return 2
            report = validate(
                root,
                image,
                min_public=args.min_public,
                min_hidden=args.min_hidden,
                parallel=args.parallel,
                track=args.track,
                liars=not args.no_liars,
            )
            print(f"content {root}" + ("" if image else " (static checks only)"))
            print(report.render(sorted(report.problems)))
            return 0 if report.ok and not (args.strict and report.warnings) else 1
        if args.action == "new":
            path = new_problem(
                root, args.track, args.level, args.problem_id, args.title, args.kind, args.points
            )
            print(
                f"created {path}: fill in statement.md, starter.py, solution.py and the "
                "tests, then run `coderunner content validate`"
            )
            return 0
        levels = None
        if args.levels:
            levels = {
                int(k): int(v) for k, v in (pair.split(":") for pair in args.levels.split(","))
            }
        result = import_exercises(
            args.source, root, args.track, public_share=args.public_share, levels=levels
        )
        for path in result.created:
            print(f"imported {path}")
        for name, why in result.skipped.items():
            print(f"skipped {name}: {why}", file=sys.stderr)
        print(
            f"{len(result.created)} exercises imported, {len(result.skipped)} skipped; "
            "run `coderunner content validate`"
        )
        return 1 if result.skipped else 0
    except ContentError as exc:
        print(f"coderunner content: {exc}", file=sys.stderr)
        return 1
