"""Practice in the learner's own container: a check against the public tests, and a
program run with typed input. Nothing here reaches the grading service's queue or the
learner's progress.

Each run is a fresh Python process running this file, in a scratch folder holding
the problem's data files, with a time limit, so an endless loop or a crash never hangs
the learner's kernel or this server. The learner can change anything in that process:
that only fools their own practice check; real verdicts come from the grading service.

The process reads one JSON request on stdin and writes one JSON line on its own copy of
stdout; everything the learner's code prints is captured separately.
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import contextlib
import io
import json
import os
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

MAX_OUTPUT = 64 * 1024
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")


# --------------------------------------------------------------------- in the child process


class _Capture(io.StringIO):
    def write(self, s: str) -> int:
        if self.tell() < MAX_OUTPUT:
            super().write(s[: MAX_OUTPUT - self.tell()])
        return len(s)


def _quiet_input(prompt: object = "") -> str:
    """input() without its prompt, as in the grading sandbox."""
    line = sys.stdin.readline()
    if not line:
        raise EOFError("EOF when reading a line")
    return line[:-1] if line.endswith("\n") else line


def _error_words(exc: BaseException, where: str) -> tuple[str, str]:
    line = None
    if isinstance(exc, SyntaxError):
        line = exc.lineno
    else:
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<your code>":
                line = tb.tb_lineno
            tb = tb.tb_next
    at = f" on line {line}" if line else ""
    name = type(exc).__name__
    if name in SYNTAX_ERRORS:
        return "syntax_error", f"Syntax error{at}: {getattr(exc, 'msg', exc)}"
    return "crashed", f"Your code raised {name}{at}{where}: {exc}"


def _check_function(request: dict[str, Any]) -> dict[str, Any]:
    from grading_service.grading import drawing, runner

    drawing.use(None)
    module = types.ModuleType("solution")
    module.__dict__["__name__"] = "solution"
    sys.modules["solution"] = module
    capture = _Capture()
    try:
        with contextlib.redirect_stdout(capture), contextlib.redirect_stderr(capture):
            exec(compile(request["source"], "<your code>", "exec"), module.__dict__)  # noqa: S102
    except BaseException as exc:  # noqa: BLE001 - the learner's failure is the answer
        verdict, message = _error_words(exc, " while loading")
        return {"verdict": verdict, "message": message, "passed": 0, "total": 0, "tests": []}
    path = Path("public_tests.py").resolve()
    path.write_text(request["tests"], encoding="utf-8")
    tests_module = runner.load_test_module(str(path), "coderunner_public_tests")
    results = []
    for name, run in runner.collect_tests(tests_module):
        out = _Capture()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            status, problem = run()
        detail = getattr(problem, "coderunner_detail", None) if status == "fail" else None
        result: dict[str, Any] = {
            "name": name,
            "status": status,
            "visibility": "public",
            "message": runner.describe_failure(problem, str(path)) if status != "pass" else "",
            "stdout": out.getvalue(),
        }
        if isinstance(detail, dict):
            result["detail"] = detail
        results.append(result)
    return _summary(results)


def _run_source(source: str, stdin: str) -> tuple[str, BaseException | None]:
    sys.stdin = io.StringIO(stdin)
    out = _Capture()
    error = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(source, "<your code>", "exec"), {"__name__": "__main__"})  # noqa: S102
    except SystemExit:
        pass
    except BaseException as exc:  # noqa: BLE001 - the learner's failure is the answer
        error = exc
    return out.getvalue(), error


def _check_program(request: dict[str, Any]) -> dict[str, Any]:
    from grading_service.grading import friendly

    results = []
    for case in request["cases"]:
        stdin = str(case.get("stdin", ""))
        printed, error = _run_source(request["source"], stdin)
        if error is not None:
            verdict, message = _error_words(error, "")
            if verdict == "syntax_error":
                return {
                    "verdict": verdict,
                    "message": message,
                    "passed": 0,
                    "total": 0,
                    "tests": [],
                }
            results.append(
                {
                    "name": str(case.get("name", "")),
                    "status": "error",
                    "visibility": "public",
                    "message": message,
                    "stdout": printed,
                }
            )
            continue
        got = _normalise(printed)
        want = _normalise(str(case.get("stdout", "")))
        result: dict[str, Any] = {
            "name": str(case.get("name", "")),
            "status": "pass" if got == want else "fail",
            "visibility": "public",
            "message": "" if got == want else friendly.explain_output(want, got),
            "stdout": printed,
        }
        if got != want:
            result["detail"] = {"stdin": stdin, "expected": want, "got": got}
        results.append(result)
    return _summary(results)


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    passed = sum(1 for r in results if r["status"] == "pass")
    total = len(results)
    if total and passed == total:
        verdict, message = "passed", f"All {total} checks passed."
    else:
        verdict, message = "failed", f"{passed} of {total} checks passed."
    return {
        "verdict": verdict,
        "message": message,
        "passed": passed,
        "total": total,
        "tests": results,
    }


def _run(request: dict[str, Any]) -> dict[str, Any]:
    printed, error = _run_source(request["source"], request.get("stdin", ""))
    words = _error_words(error, "")[1] if error is not None else None
    return {"stdout": printed, "error": words, "timed_out": False}


def main() -> None:
    reply_to = os.fdopen(os.dup(1), "w", encoding="utf-8")
    request = json.loads(sys.stdin.read())
    builtins.input = _quiet_input
    action = request.get("action")
    if action == "run":
        answer = _run(request)
    elif request.get("kind") == "program":
        answer = _check_program(request)
    else:
        answer = _check_function(request)
    reply_to.write(json.dumps(answer, default=str) + "\n")
    reply_to.flush()
    os._exit(0)  # learner threads must not keep the process alive


# --------------------------------------------------------------------- in the server


class PracticeTimeout(Exception):
    pass


def _place_files(folder: str, data: dict[str, str]) -> None:
    """The problem's data files, read-only, where the learner's code opens them."""
    for name, encoded in data.items():
        if "/" in name or name.startswith("."):
            continue
        target = Path(folder, name)
        target.write_bytes(base64.b64decode(encoded))
        target.chmod(0o444)


async def run_practice(
    request: dict[str, Any], data: dict[str, str], time_limit_seconds: float
) -> dict[str, Any]:
    """Run one practice request in a fresh process, in a scratch folder holding the data
    files (base64 by name), for at most ``time_limit_seconds``."""
    # ignore_cleanup_errors: learner code may leave a folder it made unwritable.
    with tempfile.TemporaryDirectory(
        prefix="coderunner-practice-", ignore_cleanup_errors=True
    ) as folder:
        await asyncio.to_thread(_place_files, folder, data)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            # This file as a script: not the extension package (a second of imports),
            # and with the scratch folder first on sys.path, as for a learner's program.
            "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')",
            __file__,
            cwd=folder,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        started = time.monotonic()
        try:
            out, _ = await asyncio.wait_for(
                process.communicate(json.dumps(request).encode()), time_limit_seconds
            )
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):  # it may end just now
                process.kill()
            await process.wait()
            raise PracticeTimeout(time.monotonic() - started) from None
    return answer_from(out)


def answer_from(out: bytes) -> dict[str, Any]:
    """The check's answer: the last line the process wrote. Learner code shares that
    output (a thread may still print as the answer is written), so a last line that is
    not an answer is the learner's doing, and said so, never a server error."""
    lines = out.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        raise PracticeTimeout(0.0)  # the process died without an answer (killed, exited)
    try:
        answer = json.loads(lines[-1])
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return {
            "verdict": "crashed",
            "message": "Your code kept printing after the check ended, so the check "
            "could not read its own answer. Make sure nothing prints in the background.",
            "passed": 0,
            "total": 0,
            "tests": [],
        }
    return answer


if __name__ == "__main__":
    main()
