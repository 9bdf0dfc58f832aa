"""Lying solutions: submissions that try to pass tests without solving anything.

``coderunner content validate`` grades each of them against every problem and warns
about each test one of them passes: such a test checks something a learner's object can
claim (``assert is_even(4)`` is passed by any object whose ``bool`` is ``True``), so a
learner could score without solving. The same set runs through the real service in the
test suite, where each must score nothing on every problem of the curriculum.

A lying solution defines every name the reference solution defines: functions return the
liar, classes are the liar, constants are the liar, exception classes are kept as they
are (so a test naming them still imports).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

PRELUDE = textwrap.dedent("""
    class _AlwaysEqual:
        def __init__(self, *args, **kwargs): pass
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __lt__(self, other): return True
        __le__ = __gt__ = __ge__ = __lt__
        def __hash__(self): return 0
        def __bool__(self): return True
        def __contains__(self, item): return True
        def __len__(self): return 1
        def __iter__(self): return iter([self])
        def __getitem__(self, key): return self
        def __call__(self, *args, **kwargs): return self
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return lambda *args, **kwargs: _value()
        def __str__(self): return "liar"
        def __int__(self): return 0
        def __float__(self): return 0.0
        def __index__(self): return 0
        def __round__(self, n=None): return self
        def __abs__(self): return self
        def __neg__(self): return self
        def _self(self, *other): return self
        __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _self
        __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = _self
        __pow__ = __and__ = __or__ = __xor__ = _self
        def __enter__(self): return self
        def __exit__(self, *exc): return True

    def _stop():
        raise StopIteration

    class _SelfReturning(_AlwaysEqual):
        def __eq__(self, other): return self
        def __ne__(self, other): return self
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return lambda *args, **kwargs: self

    class _TrueContainer(_AlwaysEqual):
        def __eq__(self, other): return False
        def __ne__(self, other): return True
        def __iter__(self): return iter(())

    class _ArithmeticZero(_AlwaysEqual):
        def _zero(self, *other): return 0
        __sub__ = __rsub__ = __abs__ = __round__ = _zero
        __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _zero

    class _Int(int):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        __hash__ = int.__hash__

    class _Str(str):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __contains__(self, item): return True
        __hash__ = str.__hash__

    class _List(list):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __contains__(self, item): return True

    class _Dict(dict):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __contains__(self, item): return True

    class _Float(float):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def _zero(self, *other): return 0.0
        __sub__ = __rsub__ = _zero
        __hash__ = float.__hash__
""")

# Each liar: the expression its functions return (``_value()``) and the class its
# classes derive from.
KINDS: dict[str, tuple[str, str]] = {
    "always-equal object": ("_AlwaysEqual()", "_AlwaysEqual"),
    "methods return self": ("_SelfReturning()", "_SelfReturning"),
    "always-true container": ("_TrueContainer()", "_TrueContainer"),
    "arithmetic gives zero": ("_ArithmeticZero()", "_ArithmeticZero"),
    "int subclass": ("_Int(-987654321)", "_AlwaysEqual"),
    "str subclass": ("_Str('\\u2603 nothing')", "_AlwaysEqual"),
    "list subclass": ("_List([_AlwaysEqual()] * 7)", "_AlwaysEqual"),
    "dict subclass": ("_Dict({'\\u2603': _AlwaysEqual()})", "_AlwaysEqual"),
    "float subclass": ("_Float(-1.5e300)", "_AlwaysEqual"),
    "raises StopIteration": ("_stop()", "_AlwaysEqual"),
}

PROGRAM_LIARS: dict[str, str] = {
    "prints nothing": "pass\n",
    "exits early": "import os\nos._exit(0)\n",
    "prints a fake report": 'print(\'{"verdict": "passed", "passed": 99, "total": 99}\')\n',
    "forges a reply": textwrap.dedent("""
        import sys
        main = sys.modules["__main__"]
        out = getattr(main, "PROTOCOL_OUT", None)
        if out is not None:
            for i in range(1, 40):
                out.write('{"id": %d, "ok": true, "exit": 0, "stdout": "", '
                          '"stdout_truncated": false}\\n' % i)
    """),
}


def _names(solution: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """Functions, classes, constants and exception-class sources of a solution."""
    source = solution.read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions, classes, constants, exceptions = [], [], [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(node.name)
        elif isinstance(node, ast.ClassDef):
            bases = {ast.unparse(b) for b in node.bases}
            if any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
                exceptions.append(ast.get_source_segment(source, node) or "")
            else:
                classes.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            constants += [t.id for t in targets if isinstance(t, ast.Name)]
    return functions, classes, constants, exceptions


def lying_solutions(kind: str, solution: Path) -> dict[str, str]:
    """Lying submissions for a problem, by name of the lie."""
    if kind == "program":
        return dict(PROGRAM_LIARS)
    functions, classes, constants, exceptions = _names(solution)
    liars = {}
    for lie, (value, base) in KINDS.items():
        lines = [PRELUDE, f"def _value():\n    return {value}\n"]
        lines += exceptions
        lines += [f"def {name}(*args, **kwargs):\n    return _value()\n" for name in functions]
        lines += [f"class {name}({base}):\n    pass\n" for name in classes]
        lines += [f"{name} = _AlwaysEqual()\n" for name in constants]
        liars[lie] = "\n".join(lines)
    return liars
