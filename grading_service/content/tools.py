"""Content tooling behind ``coderunner content``: validate, new, import.

``validate`` checks a content folder the way the grading service will use it: metadata
against the JSON Schemas in ``grading_service/content/schemas/``, the folder layout, unique ids,
contiguous levels, enough public and hidden tests, no hidden material referenced from
public files, and then, through real sandboxes, that every reference solution passes
all its tests and every starter fails at least one hidden test.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from jsonschema import Draft202012Validator

from .store import ASSET_NAME, PROBLEM_ID, ContentError, Problem, load_problem
from ..records import GradeResult

SCHEMAS = files("grading_service.content").joinpath("schemas")  # package data, not the source tree
PUBLIC_FILES = ("statement.md", "starter.py", "tests_public.py", "tests_public.json")
HIDDEN_MARKERS = ("tests_hidden", "solution.py")
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def schema(name: str) -> Draft202012Validator:
    """The validator for ``problem``, ``track`` or ``level`` metadata: a JSON Schema
    shipped inside the package (``grading_service/content/schemas/``)."""
    text = SCHEMAS.joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    # Weak tests: a lying solution passes them. Reported; fatal only with --strict.
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def warn(self, where: str, message: str) -> None:
        self.warnings.setdefault(where, []).append(message)

    def fail(self, where: str, message: str) -> None:
        if where:
            self.problems.setdefault(where, []).append(message)
        else:
            self.general.append(message)

    @property
    def ok(self) -> bool:
        return not self.general and not any(self.problems.values())

    def render(self, checked: Iterable[str]) -> str:
        lines = [f"  ✗ {message}" for message in self.general]
        for pid in checked:
            faults = self.problems.get(pid, [])
            warnings = self.warnings.get(pid, [])
            mark = "✗" if faults else ("!" if warnings else "✓")
            lines.append(f"  {mark} {pid}")
            lines += [f"      - {fault}" for fault in faults]
            lines += [f"      ! {warning}" for warning in warnings]
        bad = sum(1 for faults in self.problems.values() if faults)
        weak = sum(1 for warnings in self.warnings.values() if warnings)
        total = len(list(self.problems)) or 0
        lines.append(
            f"{'FAILED' if not self.ok else 'OK'}: {bad} of {total} problems with "
            f"faults, {len(self.general)} general faults, {weak} with tests a "
            "lying solution passes"
        )
        return "\n".join(lines)


def count_tests(problem: Problem, visibility: str) -> int:
    """Tests in a file, counted the way the runner collects them, without running it."""
    suffix = ".json" if problem.kind == "program" else ".py"
    path = problem.directory / f"tests_{visibility}{suffix}"
    if not path.is_file():
        return 0
    if suffix == ".json":
        cases = json.loads(path.read_text())
        return len(cases) if isinstance(cases, list) else 0
    try:
        tree = ast.parse(path.read_text())
    except SyntaxError as exc:
        raise ContentError(f"{path.name} does not parse: line {exc.lineno}: {exc.msg}") from None
    count = 0
    functions = ast.FunctionDef | ast.AsyncFunctionDef
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            count += 1
        elif isinstance(node, ast.ClassDef):
            asynchronous = any("IsolatedAsyncioTestCase" in ast.unparse(b) for b in node.bases)
            for item in node.body:
                if not (isinstance(item, functions) and item.name.startswith("test")):
                    continue
                if isinstance(item, ast.AsyncFunctionDef) and not asynchronous:
                    raise ContentError(
                        f"{path.name}: {node.name}.{item.name} is async; "
                        "async test methods need IsolatedAsyncioTestCase"
                    )
                count += 1
    return count


def check_static(
    root: Path,
    report: Report,
    *,
    min_public: int = 2,
    min_hidden: int = 4,
    track: str | None = None,
) -> list[Problem]:
    """Everything that needs no sandbox. Returns the problems that loaded."""
    problem_schema, track_schema, level_schema = (
        schema("problem"),
        schema("track"),
        schema("level"),
    )
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    pattern = f"{track}/*/*/problem.json" if track else "*/*/*/problem.json"
    for meta_path in sorted(root.glob(pattern)):
        d = meta_path.parent
        where = str(d.relative_to(root))
        try:
            meta = json.loads(meta_path.read_text())
        except ValueError as exc:
            report.fail(where, f"problem.json is not valid JSON: {exc}")
            continue
        for error in problem_schema.iter_errors(meta):
            path = "/".join(str(p) for p in error.absolute_path) or "(top)"
            report.fail(where, f"problem.json {path}: {error.message}")
        try:
            problem = load_problem(d)
        except ContentError as exc:
            report.fail(where, str(exc))
            continue
        report.problems.setdefault(problem.id, [])
        if problem.id in seen:
            report.fail(problem.id, f"id also used by {seen[problem.id]}")
        seen[problem.id] = d
        if d.parent.parent.name != problem.track:
            report.fail(problem.id, f"track {problem.track!r} but folder {d.parent.parent.name!r}")
        if d.parent.name != f"level-{problem.level}":
            report.fail(problem.id, f"level {problem.level} but folder {d.parent.name!r}")
        if not (d / "solution.py").is_file():
            report.fail(problem.id, "no solution.py (reference solution)")
        try:
            public, hidden = count_tests(problem, "public"), count_tests(problem, "hidden")
        except (ContentError, ValueError) as exc:
            report.fail(problem.id, str(exc))
            continue
        if public < min_public:
            report.fail(problem.id, f"{public} public tests, at least {min_public} needed")
        if hidden < min_hidden:
            report.fail(problem.id, f"{hidden} hidden tests, at least {min_hidden} needed")
        for name in PUBLIC_FILES:
            public_file = d / name
            if public_file.is_file():
                text = public_file.read_text()
                for marker in HIDDEN_MARKERS:
                    if marker in text:
                        report.fail(problem.id, f"public file {name} refers to {marker}")
        if (d / "solution.py").is_file() and (d / "starter.py").read_text().strip() == (
            d / "solution.py"
        ).read_text().strip():
            report.fail(problem.id, "the starter is the reference solution")
        for link in IMAGE_LINK.findall(problem.statement):
            if re.match(r"^https?://", link):
                continue
            name = link.removeprefix("assets/")
            if not link.startswith("assets/") or not ASSET_NAME.match(name):
                report.fail(
                    problem.id,
                    f"statement image {link!r} must be assets/<name> (png, jpg, gif or webp)",
                )
            elif problem.asset(name) is None:
                report.fail(problem.id, f"statement image {link!r} does not exist")
        problems.append(problem)

    tracks = {p.track for p in problems}
    for track in sorted(tracks):
        track_meta = root / track / "track.json"
        if not track_meta.is_file():
            report.fail("", f"{track}/track.json is missing")
        else:
            for error in track_schema.iter_errors(json.loads(track_meta.read_text())):
                report.fail("", f"{track}/track.json: {error.message}")
        levels = sorted({p.level for p in problems if p.track == track})
        if levels != list(range(1, len(levels) + 1)):
            report.fail("", f"track {track}: levels {levels} are not contiguous from 1")
        for number in levels:
            level_meta = root / track / f"level-{number}" / "level.json"
            if not level_meta.is_file():
                report.fail("", f"{track}/level-{number}/level.json is missing")
                continue
            data = json.loads(level_meta.read_text())
            for error in level_schema.iter_errors(data):
                report.fail("", f"{track}/level-{number}/level.json: {error.message}")
            if data.get("level") != number:
                report.fail("", f"{track}/level-{number}/level.json says level {data.get('level')}")
    return problems


async def check_in_sandboxes(
    problems: list[Problem], report: Report, image: str, parallel: int = 3, liars: bool = True
) -> None:
    """Reference solutions pass everything; starters fail at least one hidden test; no
    lying solution passes any test (a warning: the test checks what an object can
    claim)."""
    from ..grading.grader import Grader, InfraFault
    from .liars import lying_solutions
    from ..grading.sandbox import SandboxFactory

    sandboxes = SandboxFactory(image=image, instance_name="content-validate")
    grader = Grader(sandboxes)
    await grader.start()
    gate = asyncio.Semaphore(parallel)

    async def grade(problem: Problem, source: str) -> GradeResult | None:
        async with gate:
            try:
                return await grader.grade(problem, source)
            except InfraFault as exc:
                report.fail(problem.id, f"could not grade: {exc}")
                return None

    async def check(problem: Problem) -> None:
        solution = (problem.directory / "solution.py").read_text()
        result = await grade(problem, solution)
        if result is not None and (
            result["verdict"] != "passed" or result["passed"] != result["total"]
        ):
            failing = [t["name"] for t in result["tests"] if t["status"] != "pass"]
            report.fail(
                problem.id,
                f"reference solution: {result['verdict']} ({result['message']}) failing: {failing}",
            )
        result = await grade(problem, problem.starter)
        if result is not None:
            hidden = [t for t in result["tests"] if t["visibility"] == "hidden"]
            if result["verdict"] == "passed" or (
                hidden and all(t["status"] == "pass" for t in hidden)
            ):
                report.fail(problem.id, "the starter passes every hidden test")
        if liars:
            await asyncio.gather(
                *(
                    check_liar(problem, lie, source)
                    for lie, source in lying_solutions(
                        problem.kind, problem.directory / "solution.py"
                    ).items()
                )
            )

    async def check_liar(problem: Problem, lie: str, source: str) -> None:
        result = await grade(problem, source)
        if result is None:
            return
        for test in result["tests"]:
            if test["status"] == "pass":
                report.warn(
                    problem.id,
                    f"a lying solution ({lie}) passes {test['visibility']} test {test['name']}",
                )

    try:
        await asyncio.gather(
            *(check(p) for p in problems if (p.directory / "solution.py").is_file())
        )
    finally:
        await grader.close()
        await sandboxes.remove_all()


def validate(
    root: Path,
    image: str | None,
    *,
    min_public: int = 2,
    min_hidden: int = 4,
    parallel: int = 3,
    track: str | None = None,
    liars: bool = True,
) -> Report:
    report = Report()
    if not root.is_dir():
        report.fail("", f"content folder {root} does not exist")
        return report
    problems = check_static(root, report, min_public=min_public, min_hidden=min_hidden, track=track)
    if not problems:
        report.fail("", f"no problems under {root}")
    elif image:
        asyncio.run(check_in_sandboxes(problems, report, image, parallel, liars))
    return report


# --------------------------------------------------------------------------- new

FUNCTION_TEMPLATE = {
    "statement.md": "Write a function `{entry}(...)` that ...\n\n```python\n{entry}(...)  "
    "# gives ...\n```\n",
    "starter.py": "def {entry}():\n    # Your code here\n    pass\n",
    "solution.py": "def {entry}():\n    raise NotImplementedError('write the reference "
    "solution')\n",
    "tests_public.py": "from solution import {entry}\n\n\ndef test_example():\n    "
    "assert {entry}() == ...\n",
    "tests_hidden.py": "import unittest\n\nfrom solution import {entry}\n\n\n"
    "class Test{title}(unittest.TestCase):\n    def test_edge_case(self):"
    "\n        self.assertEqual({entry}(), ...)\n",
}
PROGRAM_TEMPLATE = {
    "statement.md": "Write a program that reads ... and prints ...\n",
    "starter.py": "line = input()\nprint(line)\n",
    "solution.py": "line = input()\nprint(line)\n",
    "tests_public.json": '[\n  {"name": "example", "stdin": "...\\n", "stdout": "...\\n"}\n]\n',
    "tests_hidden.json": '[\n  {"name": "edge_case", "stdin": "...\\n", "stdout": "...\\n"}\n]\n',
}


def new_problem(
    root: Path,
    track: str,
    level: int,
    problem_id: str,
    title: str,
    kind: str = "function",
    points: int = 10,
) -> Path:
    if not PROBLEM_ID.match(problem_id):
        raise ContentError(f"invalid problem id {problem_id!r} (use a-z, 0-9, - and _)")
    d = root / track / f"level-{level}" / problem_id
    if d.exists():
        raise ContentError(f"{d} already exists")
    d.mkdir(parents=True)
    entry = problem_id.replace("-", "_")
    meta = {
        "id": problem_id,
        "title": title,
        "track": track,
        "level": level,
        "order": len(list(d.parent.glob("*/problem.json"))),
        "points": points,
        "kind": kind,
        "time_limit_seconds": 5,
        "memory_limit_mb": 128,
        "tags": [],
        "hints": [],
    }
    if kind == "function":
        meta["entry_point"] = entry
    (d / "problem.json").write_text(json.dumps(meta, indent=2) + "\n")
    template = FUNCTION_TEMPLATE if kind == "function" else PROGRAM_TEMPLATE
    camel = "".join(part.capitalize() for part in re.split(r"[-_]", problem_id))
    for name, text in template.items():
        (d / name).write_text(text.format(entry=entry, title=camel))
    ensure_track_metadata(root, track, level)
    return d


def ensure_track_metadata(root: Path, track: str, up_to_level: int) -> None:
    """Write default track.json and level.json files where they are missing."""
    for number in range(1, up_to_level + 1):
        level_meta = root / track / f"level-{number}" / "level.json"
        if not level_meta.exists():
            level_meta.parent.mkdir(parents=True, exist_ok=True)
            level_meta.write_text(
                json.dumps(
                    {"level": number, "title": f"Level {number}", "unlock_threshold": 0.5}, indent=2
                )
                + "\n"
            )
    track_meta = root / track / "track.json"
    if not track_meta.exists():
        track_meta.write_text(
            json.dumps({"id": track, "title": track, "ages": "", "order": 0}, indent=2) + "\n"
        )


# --------------------------------------------------------------------------- import

DEFAULT_DIFFICULTY_LEVELS = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 5, 10: 5}


def _first(d: Path, names: Iterable[str]) -> Path | None:
    for name in names:
        path = d / name
        if path.is_file():
            return path
    return None


def _retarget_imports(tree: ast.Module, module_names: set[str]) -> None:
    """Make the tests import the learner's module as ``solution``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in module_names:
            node.module = "solution"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in module_names:
                    alias.asname = alias.asname or alias.name
                    alias.name = "solution"


def _collect_tests(tree: ast.Module) -> list[tuple[ast.FunctionDef, ast.ClassDef | None]]:
    found: list[tuple[ast.FunctionDef, ast.ClassDef | None]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            found.append((node, None))
        elif isinstance(node, ast.ClassDef):
            found += [
                (item, node)
                for item in node.body
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test")
            ]
    return found


def split_tests(source: str, module_names: set[str], public_share: float) -> tuple[str, str]:
    """Split a test module into a public and a hidden one by test, keeping helpers."""
    tree = ast.parse(source)
    _retarget_imports(tree, module_names)
    total = len(_collect_tests(tree))
    if total < 2:
        raise ContentError("needs at least 2 tests to split into public and hidden")
    n_public = min(max(1, round(total * public_share)), total - 1)

    def keep(visible: bool) -> str:
        copy = ast.parse(ast.unparse(tree))
        for position, (node, owner) in enumerate(_collect_tests(copy)):
            if (position < n_public) != visible:
                container = copy.body if owner is None else owner.body
                container.remove(node)
                if owner is not None and not owner.body:
                    owner.body.append(ast.Pass())
        return ast.unparse(copy) + "\n"

    return keep(True), keep(False)


@dataclass
class ImportResult:
    created: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # exercise → why


def import_exercises(
    source: Path,
    root: Path,
    track: str,
    *,
    public_share: float = 0.34,
    levels: dict[int, int] | None = None,
    points: int = 10,
) -> ImportResult:
    """Import exercises in the common layout (one folder each): instructions in
    Markdown, a stub, an example solution, unittest or pytest tests, optional difficulty
    in a JSON config, and helper modules the tests import. Tests become hidden tests,
    with ``public_share`` of them public. An exercise that cannot be imported is
    reported and skipped; the others are imported."""
    result = ImportResult()
    for order, ex in enumerate(sorted(p for p in source.iterdir() if p.is_dir())):
        try:
            result.created.append(
                _import_one(
                    ex,
                    order,
                    root,
                    track,
                    public_share,
                    levels or DEFAULT_DIFFICULTY_LEVELS,
                    points,
                )
            )
        except (ContentError, OSError, ValueError, SyntaxError) as exc:
            result.skipped[ex.name] = str(exc)
    return result


def _import_one(
    ex: Path,
    order: int,
    root: Path,
    track: str,
    public_share: float,
    levels: dict[int, int],
    points: int,
) -> Path:
    slug = ex.name.lower()
    module = slug.replace("-", "_")
    instructions = _first(ex, (".docs/instructions.md", "instructions.md", "README.md"))
    tests = _first(ex, (f"{module}_test.py", f"test_{module}.py", "tests.py"))
    example = _first(ex, (".meta/example.py", "example.py", ".meta/solution.py", "solution.py"))
    stub = _first(ex, (f"{module}.py", "stub.py", "starter.py"))
    if not (instructions and tests and example and stub):
        raise ContentError("needs instructions, a stub, an example solution and tests")
    config = _first(ex, (".meta/config.json", "config.json"))
    difficulty = 1
    if config:
        difficulty = int(json.loads(config.read_text()).get("difficulty", 1))
    level = levels.get(max(1, min(10, difficulty)), 1)
    public, hidden = split_tests(tests.read_text(), {module, slug}, public_share)
    d = root / track / f"level-{level}" / slug
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    meta = {
        "id": slug,
        "title": slug.replace("-", " ").capitalize(),
        "track": track,
        "level": level,
        "order": order,
        "points": points,
        "kind": "function",
        "entry_point": _entry_point(stub.read_text()) or module,
        "time_limit_seconds": 5,
        "memory_limit_mb": 128,
        "tags": ["imported"],
    }
    (d / "problem.json").write_text(json.dumps(meta, indent=2) + "\n")
    (d / "statement.md").write_text(instructions.read_text())
    (d / "starter.py").write_text(stub.read_text())
    (d / "solution.py").write_text(example.read_text())
    (d / "tests_public.py").write_text(public)
    (d / "tests_hidden.py").write_text(hidden)
    # Helper modules the tests import sit beside them (read only by the grader).
    used = {stub, tests, example}
    for helper in sorted(ex.glob("*.py")):
        if helper not in used and helper.stem not in ("solution", "tests_public", "tests_hidden"):
            shutil.copyfile(helper, d / helper.name)
    ensure_track_metadata(root, track, level)
    return d


def _entry_point(stub: str) -> str | None:
    try:
        tree = ast.parse(stub)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            return node.name
    return None
