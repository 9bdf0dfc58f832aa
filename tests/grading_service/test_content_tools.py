"""`coderunner content`: validation through real sandboxes, scaffolding, importing."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from grading_service.cli import main as cli_main
from grading_service.content import ContentStore
from grading_service.content_tools import import_exercises, new_problem, split_tests, validate
from hub_config.settings import ROOT

SOLUTION = "def double(n):\n    return 2 * n\n"
PUBLIC = "from solution import double\n\ndef test_one():\n    assert double(1) == 2\n\n" \
         "def test_two():\n    assert double(2) == 4\n"
HIDDEN = "import unittest\nfrom solution import double\n\nclass T(unittest.TestCase):\n" + \
    "".join(f"    def test_{k}(self):\n        self.assertEqual(double({i}), {2 * i})\n"
            for k, i in enumerate((0, -3, 7, 100)))


def write_problem(root: Path, pid: str = "double-it", level: int = 1, **files: str) -> Path:
    d = root / "kids" / f"level-{level}" / pid
    d.mkdir(parents=True)
    meta = {"id": pid, "title": "Double it", "track": "kids", "level": level, "order": 1,
            "points": 10, "kind": "function", "entry_point": "double",
            "time_limit_seconds": 5, "memory_limit_mb": 128}
    defaults = {"problem.json": json.dumps(meta), "statement.md": "Double `n`.",
                "starter.py": "def double(n):\n    return n\n", "solution.py": SOLUTION,
                "tests_public.py": PUBLIC, "tests_hidden.py": HIDDEN}
    for name, text in {**defaults, **files}.items():
        (d / name).write_text(text)
    (root / "kids" / "track.json").write_text(json.dumps(
        {"id": "kids", "title": "Kids", "ages": "8-11", "order": 0}))
    (d.parent / "level.json").write_text(json.dumps({"level": level, "title": "L"}))
    return d


def test_a_good_problem_validates_in_real_sandboxes(tmp_path: Path, sandbox_image) -> None:
    write_problem(tmp_path)
    report = validate(tmp_path, sandbox_image)
    assert report.ok, report.render(report.problems)


@pytest.mark.parametrize(("files", "fragment"), [
    ({"solution.py": "def double(n):\n    return n + n + 1\n"}, "reference solution"),
    ({"starter.py": "def double(n):\n    return n * 2\n"}, "starter passes every hidden"),
    ({"statement.md": "See tests_hidden.py for the answers"}, "refers to tests_hidden"),
    ({"tests_hidden.py": HIDDEN.split("    def test_1")[0]}, "hidden tests, at least 4"),
    ({"tests_hidden.py": "def test_(:\n"}, "does not parse"),
    ({"problem.json": json.dumps({"id": "double-it", "title": "x", "track": "kids",
                                  "level": 1, "order": 1, "points": 10,
                                  "kind": "function"})}, "entry_point"),
    ({"statement.md": "![robot](assets/robot.png)"}, "does not exist"),
    ({"statement.md": "![robot](robot.png)"}, "must be assets/"),
    ({"statement.md": "![robot](assets/robot.svg)"}, "must be assets/"),
])
def test_faulty_problems_are_reported(tmp_path: Path, sandbox_image, files: dict,
                                      fragment: str) -> None:
    write_problem(tmp_path, **files)
    report = validate(tmp_path, sandbox_image)
    assert not report.ok
    assert fragment in report.render(report.problems)


def test_levels_must_be_contiguous_and_ids_unique(tmp_path: Path) -> None:
    write_problem(tmp_path, "a", level=1)
    write_problem(tmp_path, "b", level=3)
    report = validate(tmp_path, None)
    assert "not contiguous" in report.render(report.problems)


def test_new_scaffolds_a_problem_that_loads(tmp_path: Path) -> None:
    d = new_problem(tmp_path, "kids", 2, "robot-steps", "Robot steps")
    assert (d / "problem.json").is_file() and (d / "tests_hidden.py").is_file()
    store = ContentStore(tmp_path)
    assert store.get("robot-steps").level == 2
    with pytest.raises(Exception, match="already exists"):
        new_problem(tmp_path, "kids", 2, "robot-steps", "Robot steps")


def test_import_maps_difficulty_and_splits_tests(tmp_path: Path, sandbox_image) -> None:
    src = tmp_path / "exercises" / "two-fer"
    (src / ".docs").mkdir(parents=True)
    (src / ".meta").mkdir()
    (src / ".docs" / "instructions.md").write_text("Say `One for X, one for me.`")
    (src / "two_fer.py").write_text("def two_fer(name='you'):\n    pass\n")
    (src / ".meta" / "example.py").write_text(
        "def two_fer(name='you'):\n    return f'One for {name}, one for me.'\n")
    (src / ".meta" / "config.json").write_text(json.dumps({"difficulty": 3}))
    (src / "two_fer_test.py").write_text(textwrap.dedent('''
        import unittest
        from two_fer import two_fer

        class TwoFerTest(unittest.TestCase):
            def test_no_name(self):
                self.assertEqual(two_fer(), "One for you, one for me.")
            def test_alice(self):
                self.assertEqual(two_fer("Alice"), "One for Alice, one for me.")
            def test_bob(self):
                self.assertEqual(two_fer("Bob"), "One for Bob, one for me.")
            def test_empty(self):
                self.assertEqual(two_fer(""), "One for , one for me.")
            def test_zoe(self):
                self.assertEqual(two_fer("Zoë"), "One for Zoë, one for me.")
            def test_long(self):
                self.assertEqual(two_fer("A" * 50), f"One for {'A' * 50}, one for me.")
    '''))
    out = tmp_path / "content"
    created = import_exercises(tmp_path / "exercises", out, "imported", public_share=0.34)
    assert created == [out / "imported" / "level-2" / "two-fer"]
    public = (created[0] / "tests_public.py").read_text()
    hidden = (created[0] / "tests_hidden.py").read_text()
    assert "from solution import two_fer" in public
    assert public.count("def test_") == 2 and hidden.count("def test_") == 4
    report = validate(out, sandbox_image, min_public=2, min_hidden=4)
    assert "two-fer" in report.problems and not report.problems["two-fer"], \
        report.render(report.problems)


def test_split_keeps_helpers_and_pytest_functions() -> None:
    source = "import mod\n\nHELPER = 3\n\ndef test_a():\n    assert mod.f() == HELPER\n\n" \
             "def test_b():\n    pass\n\ndef test_c():\n    pass\n"
    public, hidden = split_tests(source, {"mod"}, 0.34)
    assert "import solution as mod" in public and "HELPER = 3" in hidden
    assert "test_a" in public and "test_a" not in hidden and "test_c" in hidden


def test_cli_validate_exit_codes(tmp_path: Path, capsys) -> None:
    write_problem(tmp_path)
    assert cli_main_code(["content", "--content", str(tmp_path), "validate",
                          "--static-only"]) == 0
    shutil.rmtree(tmp_path / "kids" / "level-1" / "double-it")
    assert cli_main_code(["content", "--content", str(tmp_path), "validate",
                          "--static-only"]) == 1
    assert "no problems" in capsys.readouterr().out


def cli_main_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(argv)
    return exit_info.value.code


@pytest.mark.integration
def test_the_whole_curriculum_validates(sandbox_image) -> None:
    report = validate(ROOT / "content", sandbox_image, parallel=4)
    assert report.ok, report.render(sorted(report.problems))
    assert len(report.problems) >= 45
