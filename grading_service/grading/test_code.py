"""Test files compiled once per version, not once per submission.

Each submission's runner is a fresh process, so it would parse and rewrite
(``friendly.compile_tests``) the problem's test files every time, twice: once to list the
tests before learner code runs, once to run them. The service compiles each file once
per version (its path, modification time and size) and hands the runner the byte code
(``marshal``, the same interpreter on both sides). A file that does not compile is left
to the runner, which reports it as it always has.
"""

from __future__ import annotations

import marshal
import os

from . import friendly


class CompiledTests:
    """Byte code of test files, by path, kept while the file is unchanged."""

    def __init__(self, max_files: int = 1024) -> None:
        self.max_files = max_files
        self._codes: dict[tuple[str, int, int], bytes] = {}

    def get(self, path: str) -> bytes | None:
        """The marshalled code of the test file at ``path``; None when it cannot be read
        or compiled (the runner then says what is wrong with it)."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (path, stat.st_mtime_ns, stat.st_size)
        code = self._codes.get(key)
        if code is None:
            try:
                with open(path, encoding="utf-8") as f:
                    source = f.read()
                code = marshal.dumps(friendly.compile_tests(source, path))
            except (OSError, SyntaxError, ValueError):  # ValueError: not UTF-8, NUL bytes
                return None
            if len(self._codes) >= self.max_files:  # old versions of edited files
                self._codes.clear()
            self._codes[key] = code
        return code

    def for_tests(self, tests: list[dict]) -> dict[str, bytes]:
        """Byte code for each Python test file of a problem (``Problem.test_files``)."""
        out = {}
        for spec in tests:
            path = spec["path"]
            if path.endswith(".py") and (code := self.get(path)) is not None:
                out[path] = code
        return out
