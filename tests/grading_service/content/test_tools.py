"""`coderunner content` (content/tools.py): validation through real sandboxes, scaffolding,
importing."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from grading_service.cli import main as cli_main
from grading_service.content.store import ContentStore
from grading_service.content.tools import import_exercises, new_problem, split_tests, validate
from hub_config.settings import ROOT

SOLUTION = "def double(n):\n    return 2 * n\n"
PUBLIC = (
    "from solution import double\n\ndef test_one():\n    assert double(1) == 2\n\n"
    "def test_two():\n    assert double(2) == 4\n"
)
HIDDEN = "import unittest\nfrom solution import double\n\nclass T(unittest.TestCase):\n" + "".join(
    f"    def test_{k}(self):\n        self.assertEqual(double({i}), {2 * i})\n"
    for k, i in enumerate((0, -3, 7, 100))
)


@pytest.fixture
def write_double_it(write_problem) -> Callable[..., Path]:
    """``write_double_it(root, problem_id="double-it", level=1, **files)``: a problem of
    the ``kids`` track that passes validation, with ``files`` changed."""

    def write(root: Path, problem_id: str = "double-it", level: int = 1, **files: str) -> Path:
        return write_problem(
            root,
            problem_id,
            track="kids",
            level=level,
            meta={"title": "Double it", "order": 1, "entry_point": "double"},
            files={
                "statement.md": "Double `n`.",
                "starter.py": "def double(n):\n    return n\n",
                "solution.py": SOLUTION,
                "tests_public.py": PUBLIC,
                "tests_hidden.py": HIDDEN,
                **files,
            },
        )

    return write


def test_a_good_problem_validates_in_real_sandboxes(
    tmp_path: Path, sandbox_image, write_double_it
) -> None:
    write_double_it(tmp_path)
    report = validate(tmp_path, sandbox_image)
    assert report.ok, report.render(report.problems)


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"solution.py": "def double(n):\n    return n + n + 1\n"}, "reference solution"),
        ({"starter.py": "def double(n):\n    return n * 2\n"}, "starter passes every hidden"),
        ({"statement.md": "See tests_hidden.py for the answers"}, "refers to tests_hidden"),
        ({"tests_hidden.py": HIDDEN.split("    def test_1")[0]}, "hidden tests, at least 4"),
        ({"tests_hidden.py": "def test_(:\n"}, "does not parse"),
        (
            {
                "problem.json": json.dumps(
                    {
                        "id": "double-it",
                        "title": "x",
                        "track": "kids",
                        "level": 1,
                        "order": 1,
                        "points": 10,
                        "kind": "function",
                    }
                )
            },
            "entry_point",
        ),
        ({"statement.md": "![robot](assets/robot.png)"}, "does not exist"),
        ({"statement.md": "![robot](robot.png)"}, "must be assets/"),
        ({"statement.md": "![robot](assets/robot.svg)"}, "must be assets/"),
    ],
)
def test_faulty_problems_are_reported(
    tmp_path: Path, sandbox_image, write_double_it, files: dict, fragment: str
) -> None:
    write_double_it(tmp_path, **files)
    report = validate(tmp_path, sandbox_image)
    assert not report.ok
    assert fragment in report.render(report.problems)


def test_levels_must_be_contiguous_and_ids_unique(tmp_path: Path, write_double_it) -> None:
    write_double_it(tmp_path, "a", level=1)
    write_double_it(tmp_path, "b", level=3)
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
        "def two_fer(name='you'):\n    return f'One for {name}, one for me.'\n"
    )
    (src / ".meta" / "config.json").write_text(json.dumps({"difficulty": 3}))
    (src / "two_fer_test.py").write_text(
        textwrap.dedent("""
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
    """)
    )
    out = tmp_path / "content"
    created = import_exercises(tmp_path / "exercises", out, "imported", public_share=0.34).created
    assert created == [out / "imported" / "level-2" / "two-fer"]
    public = (created[0] / "tests_public.py").read_text()
    hidden = (created[0] / "tests_hidden.py").read_text()
    assert "from solution import two_fer" in public
    assert public.count("def test_") == 2 and hidden.count("def test_") == 4
    report = validate(out, sandbox_image, min_public=2, min_hidden=4)
    assert "two-fer" in report.problems and not report.problems["two-fer"], report.render(
        report.problems
    )


def test_split_keeps_helpers_and_pytest_functions() -> None:
    source = (
        "import mod\n\nHELPER = 3\n\ndef test_a():\n    assert mod.f() == HELPER\n\n"
        "def test_b():\n    pass\n\ndef test_c():\n    pass\n"
    )
    public, hidden = split_tests(source, {"mod"}, 0.34)
    assert "import solution as mod" in public and "HELPER = 3" in hidden
    assert "test_a" in public and "test_a" not in hidden and "test_c" in hidden


def test_cli_validate_exit_codes(tmp_path: Path, capsys, write_double_it) -> None:
    write_double_it(tmp_path)
    assert cli_main_code(["content", "--content", str(tmp_path), "validate", "--static-only"]) == 0
    shutil.rmtree(tmp_path / "kids" / "level-1" / "double-it")
    assert cli_main_code(["content", "--content", str(tmp_path), "validate", "--static-only"]) == 1
    assert "no problems" in capsys.readouterr().out


def cli_main_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(argv)
    return exit_info.value.code


@pytest.mark.integration
def test_the_whole_curriculum_validates(sandbox_image) -> None:
    # Lying solutions run against every problem in test_liars.py, through the
    # real service; here the curriculum's own checks.
    report = validate(ROOT / "content", sandbox_image, parallel=4, liars=False)
    assert report.ok, report.render(sorted(report.problems))
    assert len(report.problems) >= 45


# Exercises in the common layout that need what learner code and tests really do: functions
# passed in, operators on learner objects, datetimes, constants, a helper module beside the
# tests, and two learner objects compared with each other.
EXERCISES = {
    "accumulate": (
        "def accumulate(items, op):\n    return [op(x) for x in items]\n",
        """
        import unittest
        from accumulate import accumulate

        class T(unittest.TestCase):
            def test_square(self):
                self.assertEqual(accumulate([1, 2, 3], lambda x: x * x), [1, 4, 9])
            def test_upper(self):
                self.assertEqual(accumulate(["a", "b"], str.upper), ["A", "B"])
            def test_nested(self):
                self.assertEqual(accumulate([1, 2], lambda x: accumulate([x], str)), [["1"], ["2"]])
    """,
    ),
    "clock": (
        """
        class Clock:
            def __init__(self, hour, minute):
                total = (hour * 60 + minute) % 1440
                self.hour, self.minute = divmod(total, 60)
            def __repr__(self):
                return f"Clock({self.hour}, {self.minute})"
            def __str__(self):
                return f"{self.hour:02d}:{self.minute:02d}"
            def __eq__(self, other):
                return (self.hour, self.minute) == (other.hour, other.minute)
            def __add__(self, minutes):
                return Clock(self.hour, self.minute + minutes)
            def __sub__(self, minutes):
                return Clock(self.hour, self.minute - minutes)
    """,
        """
        import unittest
        from clock import Clock

        class T(unittest.TestCase):
            def test_add(self):
                self.assertEqual(str(Clock(10, 0) + 3), "10:03")
            def test_compare_two_clocks(self):
                self.assertEqual(Clock(15, 37), Clock(-9, 37 + 1440 * 2))
            def test_subtract(self):
                self.assertEqual(Clock(0, 3) - 4, Clock(23, 59))
    """,
    ),
    "gigasecond": (
        "from datetime import timedelta\n\ndef add(moment):\n"
        "    return moment + timedelta(seconds=10**9)\n",
        """
        import unittest
        from datetime import datetime
        from gigasecond import add

        class T(unittest.TestCase):
            def test_date(self):
                self.assertEqual(add(datetime(2011, 4, 25)), datetime(2043, 1, 1, 1, 46, 40))
            def test_time(self):
                self.assertEqual(add(datetime(1977, 6, 13)), datetime(2009, 2, 19, 1, 46, 40))
            def test_type(self):
                self.assertIsInstance(add(datetime(2000, 1, 1)), datetime)
    """,
    ),
    "yacht": (
        "YACHT = 'yacht'\nCHOICE = 'choice'\n\ndef score(dice, category):\n"
        "    if category == YACHT:\n        return 50 if len(set(dice)) == 1 else 0\n"
        "    return sum(dice)\n",
        """
        import unittest
        import yacht

        class T(unittest.TestCase):
            def test_yacht(self):
                self.assertEqual(yacht.score([5] * 5, yacht.YACHT), 50)
            def test_not_yacht(self):
                self.assertEqual(yacht.score([1, 3, 3, 2, 5], yacht.YACHT), 0)
            def test_choice(self):
                self.assertEqual(yacht.score([3, 3, 5, 6, 6], yacht.CHOICE), 23)
    """,
    ),
    "tree-depth": (
        "def depth(tree):\n    return 1 + max((depth(c) for c in tree[1]), default=0)\n",
        """
        import unittest
        from tree_depth import depth
        from tree_helpers import chain, leaf

        class T(unittest.TestCase):
            def test_leaf(self):
                self.assertEqual(depth(leaf()), 1)
            def test_chain(self):
                self.assertEqual(depth(chain(4)), 4)
            def test_wide(self):
                self.assertEqual(depth(("r", [leaf(), chain(2)])), 3)
    """,
    ),
    "rational": (
        """
        from math import gcd

        class Rational:
            def __init__(self, n, d):
                g = gcd(n, d) or 1
                self.n, self.d = n // g, d // g
            def __eq__(self, other):
                return (self.n, self.d) == (other.n, other.d)
            def __add__(self, other):
                return Rational(self.n * other.d + other.n * self.d, self.d * other.d)
            def __mul__(self, other):
                return Rational(self.n * other.n, self.d * other.d)
            def __repr__(self):
                return f"{self.n}/{self.d}"
    """,
        """
        import unittest
        from rational import Rational

        class T(unittest.TestCase):
            def test_add(self):
                self.assertEqual(Rational(1, 2) + Rational(1, 2), Rational(1, 1))
            def test_mul(self):
                self.assertEqual(Rational(2, 3) * Rational(3, 4), Rational(1, 2))
            def test_not_equal(self):
                self.assertNotEqual(Rational(1, 3), Rational(1, 2))
    """,
    ),
    "only-one-test": (
        "def f():\n    return 1\n",
        """
        import unittest
        from only_one_test import f

        class T(unittest.TestCase):
            def test_f(self):
                self.assertEqual(f(), 1)
    """,
    ),
}


def write_exercises(folder: Path) -> None:
    for slug, (example, tests) in EXERCISES.items():
        module = slug.replace("-", "_")
        d = folder / slug
        (d / ".meta").mkdir(parents=True)
        (d / "instructions.md").write_text(f"Write `{module}`.")
        (d / f"{module}.py").write_text("# your code here\n")
        (d / ".meta" / "example.py").write_text(textwrap.dedent(example))
        (d / f"{module}_test.py").write_text(textwrap.dedent(tests))
    (folder / "tree-depth" / "tree_helpers.py").write_text(
        "def leaf():\n    return ('x', [])\n\n"
        "def chain(n):\n    return leaf() if n == 1 else ('x', [chain(n - 1)])\n"
    )


def test_imported_exercises_with_callbacks_operators_dates_constants_and_helpers_pass(
    tmp_path: Path, sandbox_image
) -> None:
    write_exercises(tmp_path / "exercises")
    out = tmp_path / "content"
    result = import_exercises(tmp_path / "exercises", out, "imported", public_share=0.34)
    assert set(result.skipped) == {"only-one-test"}
    assert "at least 2 tests" in result.skipped["only-one-test"]
    assert len(result.created) == 6
    assert (out / "imported" / "level-1" / "tree-depth" / "tree_helpers.py").is_file()
    report = validate(out, sandbox_image, min_public=1, min_hidden=1, liars=False)
    assert report.ok, report.render(sorted(report.problems))


def test_validate_warns_about_tests_a_lying_solution_passes(
    tmp_path: Path, sandbox_image, capsys, write_double_it
) -> None:
    weak = PUBLIC + "\ndef test_truthy():\n    assert double(3)\n"
    write_double_it(tmp_path, **{"tests_public.py": weak})
    report = validate(tmp_path, sandbox_image)
    assert report.ok
    warnings = report.warnings["double-it"]
    assert any("always-equal object" in w and "test_truthy" in w for w in warnings), warnings
    assert not any("test_one" in w or "test_two" in w for w in warnings), warnings
    assert "lying solution" in report.render(sorted(report.problems))
    assert (
        cli_main_code(
            [
                "content",
                "--content",
                str(tmp_path),
                "validate",
                "--image",
                sandbox_image,
                "--strict",
            ]
        )
        == 1
    )


def test_async_test_methods_outside_an_async_test_case_are_refused(
    tmp_path: Path, write_double_it
) -> None:
    hidden = HIDDEN + "\n    async def test_later(self):\n        self.assertEqual(double(1), 2)\n"
    write_double_it(tmp_path, **{"tests_hidden.py": hidden})
    report = validate(tmp_path, None)
    assert any("IsolatedAsyncioTestCase" in f for f in report.problems["double-it"])
