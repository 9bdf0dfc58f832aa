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
import math
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


DATA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# Data files travel with every sandbox request and every opened problem: keep them small.
MAX_DATA_BYTES = 256 * 1024
TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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
    # Files of <problem>/data/ that learner code reads by relative path.
    data_files: tuple[str, ...] = ()
    # "turtle" or "pygame": the tests read what the learner's code drew.
    drawing: str | None = None

    def asset(self, name: str) -> tuple[bytes, str] | None:
        """A statement image as (bytes, content type), or None if there is no such asset."""
        if not ASSET_NAME.match(name):
            return None
        folder = self.directory / "assets"
        path = folder / name
        if path.is_symlink() or not path.is_file() or path.parent.resolve() != folder.resolve():
            return None
        return path.read_bytes(), ASSET_TYPES[name.rsplit(".", 1)[1].lower()]

    def data(self) -> dict[str, bytes]:
        """The problem's data files by name (read at each call: they are small)."""
        folder = self.directory / "data"
        return {name: (folder / name).read_bytes() for name in self.data_files}

    def runner_settings(self) -> dict:
        """What the trusted runner needs besides the test files."""
        return {
            "solution_names": list(self.solution_names),
            "test_dir": str(self.directory),
            "data_files": {name: str(self.directory / "data" / name) for name in self.data_files},
        }

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
        """What a learner may see: never tests, solutions or expected values. Hints are
        counted, not given: they are revealed one at a time (``edge/hints.py``)."""
        return {
            **self.summary(),
            "statement": self.statement,
            "starter": self.starter,
            "hint_count": len(self.hints),
            "tags": list(self.tags),
            "time_limit_seconds": self.time_limit_seconds,
            "memory_limit_mb": self.memory_limit_mb,
            "data_files": list(self.data_files),
            "drawing": self.drawing,
        }

    def public_checks(self) -> dict:
        """The public tests, for a practice check in the learner's own container: the
        test module's source (function problems) or the stdin/stdout cases (programs)."""
        path = self.directory / (
            "tests_public.json" if self.kind == "program" else "tests_public.py"
        )
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if self.kind == "program":
            return {"kind": "program", "cases": json.loads(text) if text else []}
        return {"kind": self.kind, "source": text}


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
            data_files=tuple(str(n) for n in meta.get("data_files", ())),
            drawing=meta.get("drawing"),
        )
    except (KeyError, OSError, TypeError, ValueError) as exc:
        raise ContentError(f"{directory}: {type(exc).__name__}: {exc}") from None
    if not PROBLEM_ID.match(problem.id):
        raise ContentError(f"{directory}: invalid problem id {problem.id!r}")
    if problem.kind not in ("function", "program"):
        raise ContentError(f"{directory}: kind must be 'function' or 'program'")
    if not problem.test_files():
        raise ContentError(f"{directory}: no tests")
    if problem.drawing not in (None, "turtle", "pygame"):
        raise ContentError(f"{directory}: drawing must be 'turtle' or 'pygame'")
    for name in problem.data_files:
        path = directory / "data" / name
        if not DATA_NAME.match(name) or path.is_symlink() or not path.is_file():
            raise ContentError(f"{directory}: data file {name!r} is not a file in data/")
        if path.stat().st_size > MAX_DATA_BYTES:
            raise ContentError(f"{directory}: data file {name!r} is over {MAX_DATA_BYTES} bytes")
    return problem


@dataclass(frozen=True)
class Level:
    track: str
    number: int
    title: str
    unlock_threshold: float
    problem_ids: tuple[str, ...]
    cheatsheets: tuple[str, ...] = ()  # topics of <track>/cheatsheets/<topic>.md

    def needed(self, previous: Level | None) -> int:
        """How many problems of the level before must be solved to open this one."""
        if previous is None:
            return 0
        return math.ceil(self.unlock_threshold * len(previous.problem_ids) - 1e-9)

    def rule(self, previous: Level | None) -> str:
        """The unlock rule in words a child understands (empty for a first level)."""
        if previous is None:
            return ""
        needed, total = self.needed(previous), len(previous.problem_ids)
        what = "the problem" if total == 1 else f"{needed} of the {total} problems"
        if needed == total and total > 1:
            what = f"all {total} problems"
        return f"Solve {what} in level {previous.number} ({previous.title}) to open this level."

    def public(self, previous: Level | None = None) -> dict:
        return {
            "track": self.track,
            "level": self.number,
            "title": self.title,
            "unlock_threshold": self.unlock_threshold,
            "problems": list(self.problem_ids),
            "rule": self.rule(previous),
        }


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    ages: str
    order: int
    description: str
    levels: tuple[Level, ...]
    guide: dict | None = None  # {"name", "emoji", "greeting"}
    start_here: str = ""

    def public(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "ages": self.ages,
            "description": self.description,
            "guide": self.guide,
            "start_here": self.start_here,
            "levels": [
                lv.public(self.levels[i - 1] if i else None) for i, lv in enumerate(self.levels)
            ],
        }


@dataclass(frozen=True)
class LevelState:
    """One level as one learner finds it: open or not, and what opens it."""

    level: Level
    previous: Level | None
    unlocked: bool
    solved_before: int  # problems of the level before that the learner solved

    def public(self) -> dict:
        return {
            "track": self.level.track,
            "level": self.level.number,
            "unlocked": self.unlocked,
            "rule": self.level.rule(self.previous),
            "needed": self.level.needed(self.previous),
            "solved_before": self.solved_before,
        }

    def locked_message(self) -> str:
        return f"This level is locked. {self.level.rule(self.previous)}"


@dataclass(frozen=True)
class Cheatsheet:
    """A short page on one topic, written for one track's age group."""

    track: str
    topic: str
    title: str
    markdown: str

    @property
    def id(self) -> str:
        return f"{self.track}--{self.topic}"

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "track": self.track, "topic": self.topic}

    def public(self) -> dict:
        return {**self.summary(), "markdown": self.markdown}


def load_cheatsheets(folder: Path, track: str) -> dict[str, Cheatsheet]:
    """``<track>/cheatsheets/<topic>.md``; the first ``# `` line is the title."""
    found: dict[str, Cheatsheet] = {}
    for path in sorted(folder.glob("*.md")):
        topic = path.stem
        if not TOPIC.match(topic):
            raise ContentError(f"{path}: a cheatsheet's file name must be a-z, 0-9 and -")
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        if not first.startswith("# "):
            raise ContentError(f"{path}: a cheatsheet starts with a '# Title' line")
        found[topic] = Cheatsheet(track, topic, first[2:].strip(), text)
    return found


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
        cheatsheets: dict[str, Cheatsheet] = {}
        for track_id in sorted({p.track for p in ordered}):
            track_meta = _read_json(self.root / track_id / "track.json")
            sheets = load_cheatsheets(self.root / track_id / "cheatsheets", track_id)
            cheatsheets.update({sheet.id: sheet for sheet in sheets.values()})
            levels = []
            for number in sorted({p.level for p in ordered if p.track == track_id}):
                level_path = self.root / track_id / f"level-{number}" / "level.json"
                level_meta = _read_json(level_path)
                topics = tuple(str(t) for t in level_meta.get("cheatsheets", ()))
                missing = [t for t in topics if t not in sheets]
                if missing:
                    raise ContentError(f"{level_path}: no cheatsheet {missing[0]!r} for {track_id}")
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
                        cheatsheets=topics,
                    )
                )
            guide = track_meta.get("guide")
            tracks.append(
                Track(
                    id=track_id,
                    title=str(track_meta.get("title", track_id)),
                    ages=str(track_meta.get("ages", "")),
                    order=int(track_meta.get("order", 0)),
                    description=str(track_meta.get("description", "")),
                    levels=tuple(levels),
                    guide=dict(guide) if isinstance(guide, dict) else None,
                    start_here=str(track_meta.get("start_here", "")),
                )
            )
        assessments = load_assessments(self.root / ASSESSMENTS_FILE, set(problems))
        self.problems = problems
        self.assessments = assessments
        self.cheatsheets = cheatsheets
        self.index = [p.summary() for p in ordered]
        self.tracks = sorted(tracks, key=lambda t: (t.order, t.id))
        self.tracks_index = [t.public() for t in self.tracks]
        self.levels = {(lv.track, lv.number): lv for t in self.tracks for lv in t.levels}

    def problem_view(self, problem: Problem) -> dict:
        """A problem as a learner gets it, with the cheatsheets of its level."""
        level = self.levels.get((problem.track, problem.level))
        topics = level.cheatsheets if level else ()
        sheets = [self.cheatsheets[f"{problem.track}--{t}"] for t in topics]
        return {**problem.public(), "cheatsheets": [{"id": c.id, "title": c.title} for c in sheets]}

    def get(self, problem_id: str) -> Problem | None:
        return self.problems.get(problem_id)

    def level_states(self, solved: set[str]) -> list[LevelState]:
        """Every level as a learner who solved these problems finds it.

        Level 1 of every track is open; a later level opens when the learner solved at
        least its ``unlock_threshold`` share of the level before (which must be open).
        """
        states: list[LevelState] = []
        for track in self.tracks:
            previous: Level | None = None
            open_so_far = True
            for level in track.levels:
                done = 0
                if previous is not None:
                    done = sum(1 for pid in previous.problem_ids if pid in solved)
                    open_so_far = open_so_far and done >= level.needed(previous)
                states.append(LevelState(level, previous, open_so_far, done))
                previous = level
        return states

    def unlocked_levels(self, solved: set[str]) -> dict[tuple[str, int], bool]:
        """Which levels a learner who solved these problems has open."""
        return {(s.level.track, s.level.number): s.unlocked for s in self.level_states(solved)}

    def lock_of(self, problem: Problem, solved: set[str]) -> LevelState | None:
        """The locked level holding this problem, or None when the learner may open it."""
        for state in self.level_states(solved):
            if (state.level.track, state.level.number) == (problem.track, problem.level):
                return None if state.unlocked else state
        return None
