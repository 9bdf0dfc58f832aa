"""Problems on disk: ``content/<track>/<level>/<problem>/``.

Each problem folder holds ``problem.json`` (metadata), ``statement.md``, ``starter.py``,
``solution.py`` and its tests: ``tests_public.py`` / ``tests_hidden.py`` for function
problems, ``tests_public.json`` / ``tests_hidden.json`` (stdin/stdout cases) for program
problems. Only the grading service reads this folder; what learners get is
:meth:`Problem.public`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

PROBLEM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ContentError(ValueError):
    """A problem folder is malformed; the message names the folder and the fault."""


@dataclass(frozen=True)
class Problem:
    id: str
    title: str
    track: str
    level: int
    order: int
    points: int
    kind: str  # "function" | "program"
    directory: Path
    statement: str
    starter: str
    time_limit_seconds: float = 10.0
    memory_limit_mb: int = 128
    tags: tuple[str, ...] = field(default_factory=tuple)

    def test_files(self) -> list[dict]:
        """The test files the trusted runner loads, public first."""
        suffix = ".json" if self.kind == "program" else ".py"
        files = []
        for visibility in ("public", "hidden"):
            path = self.directory / f"tests_{visibility}{suffix}"
            if path.is_file():
                files.append({"path": str(path), "visibility": visibility})
        return files

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "track": self.track, "level": self.level,
                "order": self.order, "points": self.points, "kind": self.kind}

    def public(self) -> dict:
        """What a learner may see: never tests, solutions or expected values."""
        return {**self.summary(), "statement": self.statement, "starter": self.starter,
                "time_limit_seconds": self.time_limit_seconds,
                "memory_limit_mb": self.memory_limit_mb}


def load_problem(directory: Path) -> Problem:
    meta_path = directory / "problem.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContentError(f"{meta_path}: {exc}") from None
    try:
        problem = Problem(
            id=str(meta["id"]),
            title=str(meta["title"]),
            track=str(meta["track"]),
            level=int(meta["level"]),
            order=int(meta.get("order", 0)),
            points=int(meta.get("points", 10)),
            kind=str(meta.get("kind", "function")),
            directory=directory,
            statement=(directory / "statement.md").read_text(encoding="utf-8"),
            starter=(directory / "starter.py").read_text(encoding="utf-8"),
            time_limit_seconds=float(meta.get("time_limit_seconds", 10)),
            memory_limit_mb=int(meta.get("memory_limit_mb", 128)),
            tags=tuple(meta.get("tags", ())),
        )
    except (KeyError, OSError, TypeError, ValueError) as exc:
        raise ContentError(f"{directory}: {type(exc).__name__}: {exc}") from None
    if not PROBLEM_ID.match(problem.id):
        raise ContentError(f"{directory}: invalid problem id {problem.id!r}")
    if problem.kind not in ("function", "program"):
        raise ContentError(f"{directory}: kind must be 'function' or 'program'")
    if not problem.test_files():
        raise ContentError(f"{directory}: no tests")
    return problem


class ContentStore:
    """All problems, loaded once; the sorted index is computed at load, not per request."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.problems: dict[str, Problem] = {}
        self.index: list[dict] = []
        self.reload()

    def reload(self) -> None:
        problems: dict[str, Problem] = {}
        for meta in sorted(self.root.glob("*/*/*/problem.json")):
            problem = load_problem(meta.parent)
            if problem.id in problems:
                raise ContentError(f"duplicate problem id {problem.id!r} in {meta.parent}")
            problems[problem.id] = problem
        if not problems:
            raise ContentError(f"no problems found under {self.root}")
        self.problems = problems
        self.index = [p.summary() for p in sorted(
            problems.values(), key=lambda p: (p.track, p.level, p.order, p.id))]

    def get(self, problem_id: str) -> Problem | None:
        return self.problems.get(problem_id)
