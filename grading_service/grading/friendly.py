"""Failure messages a child can read, for tests written as plain ``assert`` lines.

A failing ``assert add(2, 3) == 5`` says only "assertion failed". Before a (trusted)
test module runs, each ``assert <call> == <expected>`` in it is rewritten so that a
failure says what the call gave::

    add(2, 3) gave None, expected 5. Did you return the answer?

The rewrite keeps the check itself exactly as written (the same ``==``, evaluated in the
same order); it only names the two sides. The learner's value is described by ``repr``,
which for a learner object is its own text (hostile, capped), never a verdict.

Standard library only: the learner's server uses it too, for practice checks.
"""

from __future__ import annotations

import ast
import re
import reprlib
import types
from typing import Any

GOT = "_coderunner_got"
WANTED = "_coderunner_wanted"
FAIL = "_coderunner_fail"
MAX_REPR = 300

_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 12


def describe(value: Any) -> str:
    """A short ``repr``; it never raises (a learner object's ``__repr__`` may)."""
    try:
        text = _repr.repr(value) if type(value).__module__ == "builtins" else repr(value)
    except Exception:  # noqa: BLE001 - any learner object
        text = f"<{type(value).__name__} object>"
    if not isinstance(text, str):
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


def failure(got: Any, wanted: Any, call: str, message: Any = None) -> AssertionError:
    """The AssertionError of a failed ``call == wanted``, with ``coderunner_detail``."""
    detail = {"call": call, "got": describe(got), "expected": describe(wanted)}
    if message is not None:
        text = str(message)
    else:
        text = f"{call} gave {detail['got']}, expected {detail['expected']}."
        if got is None and wanted is not None:
            text += " Did you return the answer?"
    error = AssertionError(text)
    error.coderunner_detail = detail  # type: ignore[attr-defined]
    return error


class _AssertRewriter(ast.NodeTransformer):
    def __init__(self, source: str) -> None:
        # The source as UTF-8 (ast's column offsets count its bytes) and where each line
        # starts, found once: ``ast.get_source_segment`` splits the whole file again for
        # every assert.
        self.data = source.encode("utf-8")
        self.line_starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", self.data)]

    def segment(self, node: ast.expr) -> str | None:
        """The source text of ``node``, as ``ast.get_source_segment`` gives it."""
        end_line, end_col = node.end_lineno, node.end_col_offset
        if end_line is None or end_col is None:
            return None
        start = self.line_starts[node.lineno - 1] + node.col_offset
        end = self.line_starts[end_line - 1] + end_col
        return self.data[start:end].decode("utf-8", "replace")

    def visit_Assert(self, node: ast.Assert) -> Any:  # noqa: N802 - ast's API
        test = node.test
        if not (
            isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
        ):
            return node
        call = self.segment(test.left) or "your code"

        def name(identifier: str, ctx: ast.expr_context) -> ast.Name:
            return ast.Name(id=identifier, ctx=ctx)

        raised = ast.Call(
            func=name(FAIL, ast.Load()),
            args=[
                name(GOT, ast.Load()),
                name(WANTED, ast.Load()),
                ast.Constant(value=call),
                node.msg if node.msg is not None else ast.Constant(value=None),
            ],
            keywords=[],
        )
        statements = [
            ast.Assign(targets=[name(GOT, ast.Store())], value=test.left),
            ast.Assign(targets=[name(WANTED, ast.Store())], value=test.comparators[0]),
            ast.If(
                test=ast.UnaryOp(
                    op=ast.Not(),
                    operand=ast.Compare(
                        left=name(GOT, ast.Load()),
                        ops=[ast.Eq()],
                        comparators=[name(WANTED, ast.Load())],
                    ),
                ),
                body=[ast.Raise(exc=raised, cause=None)],
                orelse=[],
            ),
        ]
        return [ast.fix_missing_locations(ast.copy_location(s, node)) for s in statements]


def compile_tests(source: str, filename: str) -> types.CodeType:
    """A test module's code with its ``assert x == y`` lines explained on failure."""
    tree = ast.parse(source, filename)
    tree = _AssertRewriter(source).visit(tree)
    return compile(tree, filename, "exec", dont_inherit=True)


def load_module(source: str, filename: str, name: str) -> types.ModuleType:
    """Run a test module's (rewritten) code as module ``name``."""
    return run_module(compile_tests(source, filename), filename, name)


def run_module(code: types.CodeType, filename: str, name: str) -> types.ModuleType:
    """Run a test module's code from ``compile_tests`` as module ``name``."""
    module = types.ModuleType(name)
    module.__file__ = filename
    module.__dict__[FAIL] = failure
    exec(code, module.__dict__)  # noqa: S102 - the problem's own, trusted tests
    return module


def explain_output(expected: str, got: str) -> str:
    """Where a program's output first differs, in words, without escape codes."""
    want_lines, got_lines = expected.splitlines(), got.splitlines()
    for number, (want, have) in enumerate(zip(want_lines, got_lines, strict=False), start=1):
        if want != have:
            return f"Line {number} should be “{want}” but your program printed “{have}”."
    if len(got_lines) < len(want_lines):
        missing = want_lines[len(got_lines)]
        if not got_lines:
            return f"Your program printed nothing. The first line should be “{missing}”."
        return f"Your program stopped too early: line {len(got_lines) + 1} should be “{missing}”."
    extra = got_lines[len(want_lines)]
    return f"Your program printed an extra line {len(want_lines) + 1}: “{extra}”."
