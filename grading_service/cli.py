"""The ``coderunner`` command."""

from __future__ import annotations

import sys

USAGE = """usage: coderunner <command> [options]

commands:
  grader     run the grading service (normally started by JupyterHub as a service)
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
    elif command == "version":
        from . import __version__

        print(__version__)
    else:
        print(f"coderunner: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
