"""Test files are compiled once per version by the service, and the runner runs that
byte code exactly as it would have run the file."""

from __future__ import annotations

import ast
import marshal
import os
from pathlib import Path

import pytest

from grading_service.grading import friendly
from grading_service.grading.test_code import CompiledTests
from hub_config.settings import ROOT

from .local_agent import grade_locally

TESTS = "from solution import add\n\ndef test_small():\n    assert add(2, 3) == 5\n"


def test_a_file_is_compiled_once_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "tests_hidden.py"
    path.write_text(TESTS)
    cache = CompiledTests()
    first = cache.get(str(path))
    assert first is not None and cache.get(str(path)) is first  # not compiled again
    path.write_text(TESTS.replace("== 5", "== 6"))
    os.utime(path, ns=(1, 1))  # a new version, whatever the clock's resolution
    second = cache.get(str(path))
    assert second is not None and second != first
    (test_small,) = [c for c in marshal.loads(second).co_consts if hasattr(c, "co_consts")]
    assert 6 in test_small.co_consts and 5 not in test_small.co_consts


@pytest.mark.parametrize("content", [b"def broken(:\n", b"\xff\xfe not UTF-8", None])
def test_a_file_that_does_not_compile_is_left_to_the_runner(tmp_path: Path, content) -> None:
    path = tmp_path / "tests_hidden.py"
    if content is not None:
        path.write_bytes(content)
    assert CompiledTests().get(str(path)) is None


def test_only_python_test_files_are_compiled(tmp_path: Path) -> None:
    (tmp_path / "tests_public.py").write_text(TESTS)
    (tmp_path / "tests_hidden.json").write_text("[]")
    compiled = CompiledTests().for_tests(
        [
            {"path": str(tmp_path / "tests_public.py"), "visibility": "public"},
            {"path": str(tmp_path / "tests_hidden.json"), "visibility": "hidden"},
        ]
    )
    assert list(compiled) == [str(tmp_path / "tests_public.py")]


def test_the_runner_runs_the_byte_code_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "tests_public.py"
    path.write_text(TESTS)
    spec = [{"path": str(path), "visibility": "public"}]
    compiled = CompiledTests().for_tests(spec)
    path.write_text(TESTS.replace("add(2, 3) == 5", "add(2, 3) == 99"))  # not read again
    result = grade_locally(
        kind="function",
        source="def add(a, b):\n    print(a + b)\n",
        tests=spec,
        compiled_tests=compiled,
        time_limit_seconds=5.0,
    )
    (test,) = result["tests"]
    assert test["message"] == "add(2, 3) gave None, expected 5. Did you return the answer?"


CURRICULUM_TESTS = sorted((ROOT / "content").rglob("tests_*.py"))


def test_the_rewrite_names_each_call_as_the_source_writes_it() -> None:
    """Every ``assert call == expected`` of the curriculum is named by its own text, as
    ``ast.get_source_segment`` would give it (the rewrite finds it faster)."""
    assert CURRICULUM_TESTS
    seen = 0
    for path in CURRICULUM_TESTS:
        source = path.read_text(encoding="utf-8")
        rewriter = friendly._AssertRewriter(source)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
                left = node.test.left
                assert rewriter.segment(left) == ast.get_source_segment(source, left), path
                seen += 1
    assert seen > 100


@pytest.mark.parametrize(
    "source",
    [
        "assert f('é', 2) == 3\n",
        "x = 1\r\nassert g(\r\n  1) == 2\r\n",
        "x = 1\rassert h( 'ü' ) == 'ß'  # old Mac line ends\r",
        "if True:\n    assert obj.method(\n        [1,\n 2]) == {'a': 1}\n",
    ],
)
def test_the_rewrite_reads_any_line_ending_and_non_ascii_text(source: str) -> None:
    rewriter = friendly._AssertRewriter(source)
    (node,) = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]
    assert rewriter.segment(node.test.left) == ast.get_source_segment(source, node.test.left)
