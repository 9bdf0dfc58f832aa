"""The ``coderunner`` command."""

from __future__ import annotations

import argparse
import sys

USAGE = """usage: coderunner <command> [options]

commands:
  grader     run the grading service (normally started by JupyterHub as a service)
  token      mint a JWT for a service account or batch grader, or make a new secret:
               coderunner token --subject NAME [--role grader|service|teacher]
                                [--groups g1,g2] [--lifetime SECONDS]
               coderunner token --new-secret
             (secret from CODERUNNER_JWT_SECRET or CODERUNNER_JWT_SECRET_FILE)
  bench      measure the grading path against baselines (make bench)
  version    print the version
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
    elif command == "bench":
        from .benchmark import main as bench_main

        sys.exit(bench_main(rest))
    elif command == "version":
        from . import __version__

        print(__version__)
    else:
        print(f"coderunner: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)


def token_parser() -> argparse.ArgumentParser:
    from .tokens import ROLES

    parser = argparse.ArgumentParser(
        prog="coderunner token",
        description="Print a JWT (HS256) for a service account or batch grader, signed with "
                    "the secret in CODERUNNER_JWT_SECRET or the file named by "
                    "CODERUNNER_JWT_SECRET_FILE. Issuer, audience and lifetime limits come "
                    "from CODERUNNER_JWT_* as for the grading service.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--subject", help="account name; the service sees it as service:NAME")
    action.add_argument("--new-secret", action="store_true",
                        help="print a fresh random secret (32 bytes, hex) and exit")
    parser.add_argument("--role", choices=ROLES, default="grader",
                        help="what the account may do (default: grader)")
    parser.add_argument("--groups", default="",
                        help="comma-separated groups, e.g. course-a,course-b")
    parser.add_argument("--lifetime", type=int, metavar="SECONDS",
                        help="seconds until the token expires (default: "
                             "CODERUNNER_JWT_DEFAULT_LIFETIME_SECONDS, else 3600)")
    return parser


def token_main(argv: list[str]) -> None:
    from traitlets import TraitError

    from .tokens import NAME_PREFIX, TokenConfig, mint, new_secret

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
        token = mint(config.load_key(), args.subject, role=args.role, groups=groups,
                     lifetime_seconds=lifetime, issuer=config.issuer,
                     audience=config.audience, max_lifetime_seconds=config.max_lifetime_seconds)
    except (ValueError, TraitError) as exc:
        print(f"coderunner token: {exc}", file=sys.stderr)
        sys.exit(2)
    print(token)
    print(f"coderunner token: {NAME_PREFIX}{args.subject} (role {args.role}), valid for "
          f"{lifetime} seconds, audience {config.audience!r}", file=sys.stderr)
