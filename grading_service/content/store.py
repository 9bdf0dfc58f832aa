"""Problems on disk: ``content/<track>/<level>/<problem>/``.

Each problem folder holds ``problem.json`` (metadata), ``statement.md``, ``starter.py``,
``solution.py`` and its tests: ``tests_public.py`` / ``tests_hidden.py`` for function
problems, ``tests_public.json`` / ``tests_hidden.json`` (stdin/stdout cases) for program
problems. Only the grading service reads this folder; what learners get is
:meth:`Problem.public`.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..assessments import Assessment, AssessmentError, parse

PROBLEM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Statement images live in <problem>/assets/; only raster types (no SVG: it can carry script).
ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.(png|jpe?g|gif|webp)$", re.IGNORECASE)
ASSET_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


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
    hints: tuple[str, ...] = field(default_factory=tuple)
    entry_point: str = ""
    # Top-level names of the reference solution: what ``from solution import *`` binds.
    solution_names: tuple[str, ...] = ()

    def asset(self, name: str) -> tuple[bytes, str] | None:
        """A statement image as (bytes, content type), or None if there is no such asset."""
        if not ASSET_NAME.match(name):
            return None
        folder = self.directory / "assets"
        path = folder / name
        if path.is_symlink() or not path.is_file() or path.parent.resolve() != folder.resolve():
            return None
        return path.read_bytes(), ASSET_TYPES[name.rsplit(".", 1)[1].lower()]

    def runner_settings(self) -> dict:
        """What the trusted runner needs besides the test files."""
        return {"solution_names": list(self.solution_names), "test_dir": str(self.directory)}

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
        return {
            "id": self.id,
            "title": self.title,
            "track": self.track,
            "level": self.level,
            "order": self.order,
            "points": self.points,
            "kind": self.kind,
        }

    def public(self) -> dict:
        """What a learner may see: never tests, solutions or expected values."""
        return {
            **self.summary(),
            "statement": self.statement,
            "starter": self.starter,
            "hints": list(self.hints),
            "tags": list(self.tags),
            "time_limit_seconds": self.time_limit_seconds,
            "memory_limit_mb": self.memory_limit_mb,
        }


def defined_names(path: Path) -> tuple[str, ...]:
    """Public top-level names a Python file defines (functions, classes, constants)."""
    if not path.is_file():
        return ()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        raise ContentError(f"{path}: line {exc.lineno}: {exc.msg}") from None
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return tuple(dict.fromkeys(n for n in names if not n.startswith("_")))


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
            hints=tuple(meta.get("hints", ())),
            entry_point=str(meta.get("entry_point", "")),
            solution_names=defined_names(directory / "solution.py"),
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


@dataclass(frozen=True)
class Level:
    track: str
    number: int
    title: str
    unlock_threshold: float
    problem_ids: tuple[str, ...]

    def public(self) -> dict:
        return {
            "track": self.track,
            "level": self.number,
            "title": self.title,
            "unlock_threshold": self.unlock_threshold,
            "problems": list(self.problem_ids),
        }


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    ages: str
    order: int
    description: str
    levels: tuple[Level, ...]

    def public(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "ages": self.ages,
            "description": self.description,
            "levels": [lv.public() for lv in self.levels],
        }


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContentError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path}: must hold a JSON object")
    return data


DEFAULT_UNLOCK_THRESHOLD = 0.5


ASSESSMENTS_FILE = "assessments.json"


def load_assessments(path: Path, known_problems: set[str]) -> list[Assessment]:
    """Assessments defined in the content folder (``assessments.json``: a list of objects
    with ``id``, ``title``, ``cohort``, ``problems``, ``opens_at``, ``closes_at`` and
    ``max_attempts``, as the dashboard's form has them); none when the file is absent."""
    if not path.is_file():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(entries, list):
        raise ContentError(f"{path}: must be a list of assessments")
    found: list[Assessment] = []
    for number, entry in enumerate(entries, start=1):
        cohort = entry.get("cohort") if isinstance(entry, dict) else None
        if not isinstance(cohort, str) or not cohort:
            raise ContentError(f"{path}: assessment {number} needs a 'cohort' (a hub group)")
        try:
            found.append(parse(entry, cohort=cohort, known_problems=known_problems, by="content"))
        except AssessmentError as exc:
            raise ContentError(f"{path}: assessment {number}: {exc.message}") from None
    ids = [a.id for a in found]
    if len(set(ids)) != len(ids):
        raise ContentError(f"{path}: two assessments share an id")
    return found


class ContentStore:
    """All problems, tracks and levels, loaded once.

    The sorted problem index and the tracks/levels index are computed at load (start-up
    and reload), never per request.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.problems: dict[str, Problem] = {}
        self.index: list[dict] = []
        self.tracks: list[Track] = []
        self.assessments: list[Assessment] = []
        self.reload()

    def reload(self) -> None:
        """Load everything again; on any error keep serving what was loaded before."""
        problems: dict[str, Problem] = {}
        for meta in sorted(self.root.glob("*/*/*/problem.json")):
            problem = load_problem(meta.parent)
            if problem.id in problems:
                raise ContentError(f"duplicate problem id {problem.id!r} in {meta.parent}")
            problems[problem.id] = problem
        if not problems:
            raise ContentError(f"no problems found under {self.root}")
        ordered = sorted(problems.values(), key=lambda p: (p.track, p.level, p.order, p.id))
        tracks = []
        for track_id in sorted({p.track for p in ordered}):
            track_meta = _read_json(self.root / track_id / "track.json")
            levels = []
            for number in sorted({p.level for p in ordered if p.track == track_id}):
                level_meta = _read_json(self.root / track_id / f"level-{number}" / "level.json")
                levels.append(
                    Level(
                        track=track_id,
                        number=number,
                        title=str(level_meta.get("title", f"Level {number}")),
                        unlock_threshold=float(
                            level_meta.get("unlock_threshold", DEFAULT_UNLOCK_THRESHOLD)
                        ),
                        problem_ids=tuple(
                            p.id for p in ordered if p.track == track_id and p.level == number
                        ),
                    )
                )
            tracks.append(
                Track(
                    id=track_id,
                    title=str(track_meta.get("title", track_id)),
                    ages=str(track_meta.get("ages", "")),
                    order=int(track_meta.get("order", 0)),
                    description=str(track_meta.get("description", "")),
                    levels=tuple(levels),
                )
            )
        assessments = load_assessments(self.root / ASSESSMENTS_FILE, set(problems))
        self.problems = problems
        self.assessments = assessments
        self.index = [p.summary() for p in ordered]
        self.tracks = sorted(tracks, key=lambda t: (t.order, t.id))
        self.tracks_index = [t.public() for t in self.tracks]

    def get(self, problem_id: str) -> Problem | None:
        return self.problems.get(problem_id)

    def unlocked_levels(self, solved: set[str]) -> dict[tuple[str, int], bool]:
        """Which levels a learner who solved these problems has open.

        Level 1 of every track is open; a later level opens when the learner solved at
        least its ``unlock_threshold`` share of the level before (which must be open).
        """
        state: dict[tuple[str, int], bool] = {}
        for track in self.tracks:
            previous: Level | None = None
            open_so_far = True
            for level in track.levels:
                if previous is not None:
                    done = sum(1 for pid in previous.problem_ids if pid in solved)
                    needed = level.unlock_threshold * len(previous.problem_ids)
                    open_so_far = open_so_far and done >= needed
                state[(track.id, level.number)] = open_so_far
                previous = level
        return state
