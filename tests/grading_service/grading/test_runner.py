"""The trusted runner with the call server as a local process (no Docker): test
discovery, verdicts, and what a learner may see. The same paths run through real
containers in test_sandbox.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grading_service.edge.handlers import public_submission
from grading_service.grading.channel import SandboxUnavailable
from grading_service.grading.runner import Job, grade

from .local_agent import LocalAgentSocket, grade_locally

HIDDEN = textwrap.dedent("""
    import unittest
    from solution import add, Counter, Oops

    SECRET_EXPECTED = 1234567

    def test_add():
        assert add(2, 3) == 5

    def test_add_negative():
        assert add(-2, -3) == -5

    def test_secret_value():
        assert add(1234560, 7) == SECRET_EXPECTED

    class TestMore(unittest.TestCase):
        def test_raises_value_error(self):
            with self.assertRaises(ValueError):
                add("a", 1)

        def test_object_state(self):
            c = Counter()
            c.bump()
            c.bump()
            self.assertEqual(c.count, 2)
            self.assertEqual(c.total(), 2)

        def test_tuples_and_sets(self):
            self.assertEqual(add((1,), (2,)), (1, 2))
            self.assertEqual(Oops, 3)
""")

PUBLIC = textwrap.dedent("""
    from solution import add

    def test_public_add():
        print_marker = add(1, 1)
        assert print_marker == 2, f"add(1, 1) gave {print_marker}"
""")

GOOD = textwrap.dedent("""
    def add(a, b):
        if isinstance(a, str):
            raise ValueError("numbers only")
        print("adding", a, b)
        return a + b

    class Counter:
        def __init__(self):
            self.count = 0
        def bump(self):
            self.count += 1
        def total(self):
            return self.count

    Oops = 3
""")


@pytest.fixture
def tests_dir(tmp_path: Path) -> Path:
    (tmp_path / "tests_hidden.py").write_text(HIDDEN)
    (tmp_path / "tests_public.py").write_text(PUBLIC)
    return tmp_path


def run(
    source: str,
    tests_dir: Path,
    kind: str = "function",
    limit: float = 5.0,
    tests: list | None = None,
) -> dict:
    return grade_locally(
        kind=kind,
        source=source,
        tests=tests
        or [
            {"path": str(tests_dir / "tests_public.py"), "visibility": "public"},
            {"path": str(tests_dir / "tests_hidden.py"), "visibility": "hidden"},
        ],
        time_limit_seconds=limit,
    )


def test_correct_solution_passes_every_test(tests_dir: Path) -> None:
    result = run(GOOD, tests_dir)
    assert result["verdict"] == "passed", result
    assert (result["passed"], result["total"]) == (7, 7)


def test_pytest_functions_and_unittest_methods_are_both_collected(tests_dir: Path) -> None:
    names = [t["name"] for t in run(GOOD, tests_dir)["tests"]]
    assert "test_add" in names and "TestMore.test_raises_value_error" in names


def test_wrong_solution_fails_and_names_failing_tests(tests_dir: Path) -> None:
    result = run(GOOD.replace("return a + b", "return a - b"), tests_dir)
    assert result["verdict"] == "failed"
    failing = {t["name"] for t in result["tests"] if t["status"] != "pass"}
    assert {"test_add", "test_public_add"} <= failing


def test_hidden_test_output_never_reaches_learner(tests_dir: Path) -> None:
    result = run(GOOD.replace("return a + b", "return a - b"), tests_dir)
    for test in result["tests"]:
        if test["visibility"] == "hidden":
            assert set(test) == {"name", "status", "visibility", "message"}
            assert test["message"] == ""
    text = repr(result["tests"])
    assert "1234567" not in text and "SECRET_EXPECTED" not in text
    # what a learner is ever shown of a stored verdict (edge/handlers.py)
    shown = repr(public_submission({"_id": "x", "problem_id": "p", "status": "graded", **result}))
    assert "1234567" not in shown and "SECRET_EXPECTED" not in shown
    assert "adding" not in "".join(
        t.get("stdout", "") for t in result["tests"] if t["visibility"] == "hidden"
    )


def test_teachers_get_why_hidden_tests_failed_apart_from_the_learners_view(
    tests_dir: Path,
) -> None:
    result = run(GOOD.replace("return a + b", "return a - b"), tests_dir)
    detail = {d["name"]: d["message"] for d in result["hidden_detail"]}
    assert "test_add" in detail and detail["test_add"]
    hidden_names = {t["name"] for t in result["tests"] if t["visibility"] == "hidden"}
    assert set(detail) <= hidden_names


def test_public_failures_show_their_message_and_output(tests_dir: Path) -> None:
    result = run(GOOD.replace("return a + b", "return a - b"), tests_dir)
    public = next(t for t in result["tests"] if t["name"] == "test_public_add")
    assert public["message"] == "add(1, 1) gave 0"
    assert "adding 1 1" in public["stdout"]


def test_syntax_error_reports_the_line(tests_dir: Path) -> None:
    result = run("def add(a, b)\n    return a + b\n", tests_dir)
    assert result["verdict"] == "syntax_error"
    assert "line 1" in result["message"]
    assert result["passed"] == 0


def test_error_while_loading_is_a_crash_verdict(tests_dir: Path) -> None:
    result = run("raise RuntimeError('boom')\n", tests_dir)
    assert result["verdict"] == "crashed"
    assert "RuntimeError" in result["message"]


def test_infinite_loop_times_out_and_unfinished_tests_count(tests_dir: Path) -> None:
    source = GOOD.replace("return a + b", "while True:\n            pass")
    result = run(source, tests_dir, limit=1.0)
    assert result["verdict"] == "timeout"
    assert result["total"] == 7 and result["passed"] == 0


def test_fake_report_printed_by_learner_earns_nothing(tests_dir: Path) -> None:
    source = textwrap.dedent("""
        import os, json
        for i in range(1, 50):
            os.write(1, (json.dumps({"id": i, "ok": True, "value": None}) + "\\n").encode())
        print('{"verdict": "passed", "passed": 7, "total": 7}')
        def add(a, b):
            return 0
        class Counter: pass
        Oops = 0
    """)
    result = run(source, tests_dir)
    assert result["verdict"] == "failed"
    assert result["passed"] == 0


def test_patching_unittest_in_the_sandbox_changes_nothing(tests_dir: Path) -> None:
    source = textwrap.dedent("""
        import unittest, builtins
        unittest.TestCase.assertEqual = lambda *a, **k: None
        builtins.AssertionError = type("Nope", (Exception,), {})
        def add(a, b):
            return None
        class Counter: pass
        Oops = 0
    """)
    result = run(source, tests_dir)
    assert result["passed"] == 0


def test_exit_early_is_a_crash_not_a_pass(tests_dir: Path) -> None:
    result = run("import os\nos._exit(0)\n", tests_dir)
    assert result["verdict"] == "crashed"
    assert result["passed"] == 0


def test_program_problem_compares_stdout(tmp_path: Path) -> None:
    cases = tmp_path / "tests_hidden.json"
    cases.write_text(
        '[{"name": "double", "stdin": "4\\n", "stdout": "8\\n"},'
        ' {"name": "zero", "stdin": "0\\n", "stdout": "0\\n"}]'
    )
    spec = [{"path": str(cases), "visibility": "hidden"}]
    good = run("print(int(input()) * 2)\n", tmp_path, kind="program", tests=spec)
    bad = run("print(int(input()) + 2)\n", tmp_path, kind="program", tests=spec)
    assert good["verdict"] == "passed" and good["passed"] == 2
    assert bad["verdict"] == "failed" and bad["passed"] == 0
    assert all(t["message"] == "" for t in bad["tests"])  # hidden: no expected output shown


def test_a_program_sees_what_site_gives_a_kernel_without_site(tmp_path: Path) -> None:
    # The call server runs under python -S and stands in for site: exit() and the other
    # builtins work, the interpreter's packages are importable, and collections (imported
    # lazily by the call server) still round-trips.
    cases = tmp_path / "tests_hidden.json"
    cases.write_text(
        '[{"name": "site", "stdin": "", "stdout": "True True True True\\nCounter 2\\n"}]'
    )
    spec = [{"path": str(cases), "visibility": "hidden"}]
    source = (
        "import sys, importlib.util\n"
        "print(callable(exit), callable(quit), callable(help),"
        " importlib.util.find_spec('traitlets') is not None)\n"
        "from collections import Counter\n"
        "print(type(Counter()).__name__, Counter('aab')['a'])\n"
        "exit(0)\n"
        "print('never')\n"
    )
    result = run(source, tmp_path, kind="program", tests=spec)
    assert result["verdict"] == "passed", result


def test_learner_exception_classes_work_with_assert_raises(tmp_path: Path) -> None:
    (tmp_path / "tests_hidden.py").write_text(
        textwrap.dedent("""
        import unittest
        import pytest
        import solution
        from solution import withdraw, Overdrawn

        class TestBank(unittest.TestCase):
            def test_own_exception(self):
                with self.assertRaises(solution.Overdrawn):
                    withdraw(10, 20)

            def test_caught_as_its_builtin_base(self):
                with self.assertRaises(ValueError):
                    withdraw(10, 20)

        def test_pytest_raises_with_message():
            with pytest.raises(Overdrawn, match="short by 10"):
                withdraw(10, 20)

        def test_no_exception_when_fine():
            assert withdraw(20, 10) == 10
    """)
    )
    source = textwrap.dedent("""
        class Overdrawn(ValueError):
            pass

        def withdraw(balance, amount):
            if amount > balance:
                raise Overdrawn(f"short by {amount - balance}")
            return balance - amount
    """)
    spec = [{"path": str(tmp_path / "tests_hidden.py"), "visibility": "hidden"}]
    result = run(source, tmp_path, tests=spec)
    assert result["verdict"] == "passed", result
    wrong = run(source.replace("raise Overdrawn", "raise KeyError"), tmp_path, tests=spec)
    assert wrong["passed"] == 1


def test_learner_objects_support_len_str_eq_in_indexing_and_iteration(tmp_path: Path) -> None:
    (tmp_path / "tests_hidden.py").write_text(
        textwrap.dedent("""
        import unittest
        from solution import Stack

        class TestStack(unittest.TestCase):
            def test_protocols(self):
                s = Stack()
                s.push(1)
                s.push("two")
                self.assertEqual(len(s), 2)
                self.assertEqual(str(s), "Stack[1, 'two']")
                self.assertIn("two", s)
                self.assertEqual(s[0], 1)
                self.assertEqual(list(s), [1, "two"])
                self.assertTrue(s)
                self.assertFalse(Stack())
                self.assertEqual(s, s)
                other = Stack()
                other.push(1)
                self.assertNotEqual(s, other)
                self.assertEqual(s.pop(), "two")

            def test_len_must_be_an_int(self):
                s = Stack()
                s.push(1)
                self.assertEqual(len(s), 1)
    """)
    )
    source = textwrap.dedent("""
        class Stack:
            def __init__(self):
                self.items = []
            def push(self, x):
                self.items.append(x)
            def pop(self):
                return self.items.pop()
            def __len__(self):
                return len(self.items)
            def __str__(self):
                return f"Stack{self.items!r}"
            def __contains__(self, x):
                return x in self.items
            def __getitem__(self, i):
                return self.items[i]
            def __iter__(self):
                return iter(self.items)
            def __eq__(self, other):
                return isinstance(other, Stack) and self.items == other.items
    """)
    spec = [{"path": str(tmp_path / "tests_hidden.py"), "visibility": "hidden"}]
    result = run(source, tmp_path, tests=spec)
    assert result["verdict"] == "passed", result


def test_pytest_raises_that_does_not_raise_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "tests_public.py").write_text(
        textwrap.dedent("""
        import pytest
        from solution import check

        def test_rejects_negative():
            with pytest.raises(ValueError):
                check(-1)

        def test_accepts_positive():
            assert check(1) == 1
    """)
    )
    spec = [{"path": str(tmp_path / "tests_public.py"), "visibility": "public"}]
    result = run("def check(n):\n    return n\n", tmp_path, tests=spec)
    assert result["verdict"] == "failed", result
    failing = next(t for t in result["tests"] if t["name"] == "test_rejects_negative")
    assert failing["status"] == "fail" and "DID NOT RAISE" in failing["message"]


def test_a_failing_equality_says_what_the_call_gave(tmp_path: Path) -> None:
    (tmp_path / "tests_public.py").write_text(
        "from solution import add\n\ndef test_small():\n    assert add(2, 3) == 5\n"
    )
    spec = [{"path": str(tmp_path / "tests_public.py"), "visibility": "public"}]
    result = run("def add(a, b):\n    print(a + b)\n", tmp_path, tests=spec)
    (test,) = result["tests"]
    assert test["message"] == "add(2, 3) gave None, expected 5. Did you return the answer?"
    assert test["detail"] == {"call": "add(2, 3)", "got": "None", "expected": "5"}
    wrong = run("def add(a, b):\n    return a * b\n", tmp_path, tests=spec)
    assert wrong["tests"][0]["message"] == "add(2, 3) gave 6, expected 5."


def test_an_assert_with_its_own_message_keeps_it(tmp_path: Path) -> None:
    (tmp_path / "tests_public.py").write_text(
        "from solution import add\n\ndef test_small():\n"
        "    assert add(2, 3) == 5, 'two and three make five'\n"
    )
    spec = [{"path": str(tmp_path / "tests_public.py"), "visibility": "public"}]
    result = run("def add(a, b):\n    return 0\n", tmp_path, tests=spec)
    assert result["tests"][0]["message"] == "two and three make five"


def test_a_program_test_shows_its_input_and_both_outputs(tmp_path: Path) -> None:
    cases = tmp_path / "tests_public.json"
    cases.write_text('[{"name": "mia", "stdin": "Mia\\n", "stdout": "Hi!\\nHello, Mia!\\n"}]')
    spec = [{"path": str(cases), "visibility": "public"}]
    result = run(
        "name = input()\nprint('Hi!')\nprint('Hello', name)\n", tmp_path, "program", tests=spec
    )
    (test,) = result["tests"]
    assert test["message"] == "Line 2 should be “Hello, Mia!” but your program printed “Hello Mia”."
    assert test["detail"] == {
        "stdin": "Mia\n",
        "expected": "Hi!\nHello, Mia!",
        "got": "Hi!\nHello Mia",
    }
    assert "\\n" not in test["message"]


def test_input_prompts_are_not_counted_as_output(tmp_path: Path) -> None:
    cases = tmp_path / "tests_hidden.json"
    cases.write_text(
        '[{"name": "nine", "stdin": "9\\n", "stdout": "Next year you will be 10.\\n"}]'
    )
    spec = [{"path": str(cases), "visibility": "hidden"}]
    source = "age = int(input('How old are you? '))\nprint(f'Next year you will be {age + 1}.')\n"
    assert run(source, tmp_path, "program", tests=spec)["verdict"] == "passed"


def test_data_files_are_placed_read_only_beside_the_learner_code(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fruits.csv").write_text("fruit\napple\npear\napple\n")
    (tmp_path / "tests_hidden.py").write_text(
        "from solution import count, mode\n\n"
        "def test_count():\n    assert count() == 2\n\n"
        "def test_read_only():\n    assert mode() == 0o444\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    source = textwrap.dedent("""
        import os

        def count():
            return open("fruits.csv").read().split().count("apple")

        def mode():
            return os.stat("fruits.csv").st_mode & 0o777
    """)
    result = grade_locally(
        kind="function",
        source=source,
        tests=[{"path": str(tmp_path / "tests_hidden.py"), "visibility": "hidden"}],
        time_limit_seconds=5,
        data_files={"fruits.csv": str(tmp_path / "data" / "fruits.csv")},
        cwd=str(work),
    )
    assert result["verdict"] == "passed", result


def test_non_ascii_code_and_output_are_graded_as_text(tmp_path: Path) -> None:
    import json

    expected = "Olá, Zoë! 🌍 مرحبا שלום\n"
    cases = tmp_path / "tests_public.json"
    cases.write_text(
        json.dumps([{"name": "world", "stdin": "Zoë\n", "stdout": expected}], ensure_ascii=False),
        encoding="utf-8",
    )
    spec = [{"path": str(cases), "visibility": "public"}]
    good = "name = input()\nprint(f'Olá, {name}! 🌍 مرحبا שלום')\n"
    assert run(good, tmp_path, "program", tests=spec)["verdict"] == "passed"
    bad = run("name = input()\nprint('Ola', name)\n", tmp_path, "program", tests=spec)
    (test,) = bad["tests"]
    assert test["detail"]["expected"] == expected.strip()
    assert test["detail"]["got"] == "Ola Zoë"
    (tmp_path / "tests_hidden.py").write_text(
        "from solution import greet\n\ndef test_accents():\n    assert greet('✓') == 'héllo ✓'\n",
        encoding="utf-8",
    )
    hidden = [{"path": str(tmp_path / "tests_hidden.py"), "visibility": "hidden"}]
    source = "def greet(n):\n    return 'héllo ' + n  # é, ✓\n"
    assert run(source, tmp_path, tests=hidden)["verdict"] == "passed"


class RecordingSocket(LocalAgentSocket):
    """The local call server's stream, noting each send and each read that got data."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, bytes]] = []

    def sendall(self, data: bytes) -> None:
        self.events.append(("send", data))
        super().sendall(data)

    def recv(self, n: int) -> bytes:
        data = super().recv(n)
        if data:
            self.events.append(("recv", data))
        return data


def grade_through(sock: LocalAgentSocket, source: str, tests_dir: Path) -> dict:
    job = Job(
        container_id="local",
        docker_socket="",
        max_output_bytes=4096,
        kind="function",
        source=source,
        tests=[{"path": str(tests_dir / "tests_hidden.py"), "visibility": "hidden"}],
        time_limit_seconds=5.0,
        test_dir=str(tests_dir),
    )
    try:
        return grade(job, sock=sock)  # type: ignore[arg-type]
    finally:
        sock.close()


def test_the_learner_code_goes_out_right_behind_the_ping(tests_dir: Path) -> None:
    # One round trip saved per submission: the load is sent before the ping's answer is
    # read (the call server answers in order, so the ping still comes first).
    sock = RecordingSocket()
    result = grade_through(sock, GOOD, tests_dir)
    assert result["verdict"] == "passed"
    kinds = [kind for kind, _ in sock.events]
    assert kinds[:2] == ["send", "send"]
    assert b'"op":"ping"' in sock.events[0][1] and b'"op":"load"' in sock.events[1][1]


def test_a_sandbox_gone_before_the_ping_is_unavailable_not_the_learners_fault(
    tests_dir: Path,
) -> None:
    sock = LocalAgentSocket()
    sock.proc.kill()
    sock.proc.wait()
    with pytest.raises(SandboxUnavailable):
        grade_through(sock, GOOD, tests_dir)
