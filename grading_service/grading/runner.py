"""The trusted test runner: one process per submission, on the grading host.

It attaches to the submission's sandbox (``channel.py``), loads the learner's code there,
and runs the problem's test modules *here*, with the learner's module replaced by a
stand-in whose functions and objects live in the sandbox (``remote.py``). Test code,
expected values and verdicts never enter the sandbox.

The order matters:

1. **Plan.** Before any learner code runs, the test modules are imported with a
   planning stand-in and their tests listed. That list is the score's denominator: a
   test that did not run, was skipped or was an "expected failure" is not a pass.
2. **Load.** The learner's code loads in the sandbox. A syntax error or an exception
   while loading is a verdict (``syntax_error``, ``crashed``) with the line.
3. **Run.** The test modules are imported again against the real stand-in, and each
   planned test runs. A test that uses a name the learner's code lacks fails with
   "Your code does not define ...". Anything malformed from the sandbox ends grading
   with ``crashed``; running out of time or output with ``timeout`` / ``output_limit``.

Only faults a learner cannot cause (the sandbox not answering before their code ran,
broken problem tests, a bug here) come back as ``internal_error``, which the worker
retries a bounded number of times.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import linecache
import marshal
import sys
import time
import traceback
import types
import unittest
import unittest.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import drawing, friendly
from .channel import (
    ByteStream,
    Channel,
    SandboxFault,
    SandboxOutputLimit,
    SandboxTimeout,
    SandboxUnavailable,
    attach,
)
from .remote import RemoteHandle, Session, SolutionModule, check_names

SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")


class ContentFault(Exception):
    """The problem's own tests are broken (found before learner code ran): our fault."""


# How much of a failing hidden test's message teachers see (assertion text, a traceback's
# last lines).
HIDDEN_DETAIL_CHARS = 500


@dataclass
class TestOutcome:
    name: str
    status: str  # pass | fail | error | skipped
    visibility: str  # public | hidden
    message: str = ""
    stdout: str = ""
    # Public tests: what was compared, for a readable diff (``call``/``got``/``expected``
    # of a function test, ``stdin``/``expected``/``got`` of a program test).
    detail: dict[str, str] | None = None

    def public_view(self) -> dict:
        """What a learner may see: hidden tests show name and pass/fail only."""
        out: dict[str, Any] = {
            "name": self.name,
            "status": self.status,
            "visibility": self.visibility,
        }
        if self.visibility == "public":
            out["message"] = self.message
            out["stdout"] = self.stdout
            if self.detail:
                out["detail"] = self.detail
        else:
            out["message"] = ""
        return out


@dataclass
class Job:
    container_id: str
    docker_socket: str
    kind: str  # function | program
    source: str
    tests: list[dict] = field(default_factory=list)  # {"path", "visibility"}
    time_limit_seconds: float = 10.0
    max_output_bytes: int = 65536
    # Names the reference solution defines: what ``from solution import *`` may bind.
    solution_names: list[str] = field(default_factory=list)
    # Folder whose modules the tests may import (helpers beside the tests).
    test_dir: str = ""
    # Data files learner code reads by relative path: name -> path on this host.
    data_files: dict[str, str] = field(default_factory=dict)
    # Test files compiled by the service (``test_code.CompiledTests``): path -> marshal.
    compiled_tests: dict[str, bytes] = field(default_factory=dict)

    def files_payload(self) -> dict[str, str]:
        """The data files as the sandbox receives them (base64), placed read-only in
        its working directory before learner code runs."""
        payload = {}
        for name, path in self.data_files.items():
            try:
                with open(path, "rb") as f:
                    payload[name] = base64.b64encode(f.read()).decode("ascii")
            except OSError as exc:
                raise ContentFault(f"data file {path}: {exc}") from None
        return payload


# --------------------------------------------------------------------------- collecting

TestRun = Callable[[], tuple[str, BaseException | None]]


def load_test_module(path: str, name: str, compiled: bytes | None = None) -> types.ModuleType:
    """Run a test file as a module, its ``assert x == y`` lines explained on failure
    (``friendly.py``); from ``compiled``, its code as the service compiled it, if given."""
    if compiled is not None:
        return friendly.run_module(marshal.loads(compiled), path, name)
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    except OSError as exc:
        raise ContentFault(f"cannot load {path}: {exc}") from None
    return friendly.load_module(source, path, name)


def collect_tests(module: types.ModuleType) -> list[tuple[str, TestRun]]:
    """pytest-style ``test_*`` functions and ``unittest.TestCase`` methods, in file order."""
    tests: list[tuple[str, TestRun]] = []
    for name, obj in list(vars(module).items()):
        if name.startswith("test") and inspect.isfunction(obj):
            tests.append((name, _function_runner(obj)))
        elif inspect.isclass(obj) and issubclass(obj, unittest.TestCase):
            for method in unittest.defaultTestLoader.getTestCaseNames(obj):
                tests.append((f"{name}.{method}", _case_runner(obj, method)))
    return tests


def is_failure(exc: BaseException) -> bool:
    """A failed check (assert, unittest, ``pytest.raises``/``pytest.fail``), not an error."""
    return isinstance(exc, AssertionError) or (
        type(exc).__name__ == "Failed"
        and any(k.__name__ == "OutcomeException" for k in type(exc).__mro__)
    )


def _is_skip(exc: BaseException) -> bool:
    return isinstance(exc, unittest.SkipTest) or (
        type(exc).__name__ in ("Skipped", "XFailed")
        and any(k.__name__ == "OutcomeException" for k in type(exc).__mro__)
    )


def _function_runner(fn: Callable[[], Any]) -> TestRun:
    def run() -> tuple[str, BaseException | None]:
        try:
            if inspect.iscoroutinefunction(fn):
                asyncio.run(fn())
            else:
                fn()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - pytest's Failed is a BaseException
            if _is_skip(exc):
                return "skipped", exc
            return ("fail" if is_failure(exc) else "error"), exc
        return "pass", None

    return run


class _Outcome(unittest.TestResult):
    """The status of one TestCase method: only a plain success is a pass."""

    def __init__(self) -> None:
        super().__init__()
        self.status = ""
        self.exc: BaseException | None = None

    def _set(self, status: str, exc: BaseException | None) -> None:
        if self.status in ("", "pass"):
            self.status, self.exc = status, exc

    def addSuccess(self, test) -> None:  # noqa: N802 - unittest's API
        self._set("pass", None)

    def addFailure(self, test, err) -> None:  # noqa: N802
        self._set("fail", err[1])

    def addError(self, test, err) -> None:  # noqa: N802
        self._set("fail" if is_failure(err[1]) else "error", err[1])

    def addSubTest(self, test, subtest, err) -> None:  # noqa: N802
        if err is not None:
            self._set("fail" if is_failure(err[1]) else "error", err[1])

    def addSkip(self, test, reason) -> None:  # noqa: N802
        self.status, self.exc = "skipped", unittest.SkipTest(reason)

    def addExpectedFailure(self, test, err) -> None:  # noqa: N802
        self.status, self.exc = "fail", AssertionError("an expected failure is not a pass")

    def addUnexpectedSuccess(self, test) -> None:  # noqa: N802
        self.status, self.exc = "fail", AssertionError("marked as expected to fail")


def _case_runner(cls: type[unittest.TestCase], method: str) -> TestRun:
    def run() -> tuple[str, BaseException | None]:
        if inspect.iscoroutinefunction(getattr(cls, method)) and not issubclass(
            cls, unittest.IsolatedAsyncioTestCase
        ):
            return "error", TypeError("async test methods need IsolatedAsyncioTestCase")
        result = _Outcome()
        cls(method).run(result)
        if not result.status:
            return "error", RuntimeError("the test did not run")
        return result.status, result.exc

    return run


# --------------------------------------------------------------------------- messages


def describe_failure(exc: BaseException | None, test_file: str) -> str:
    """A readable one-liner for a failed public test; never raises."""
    if exc is None:
        return ""
    try:
        if is_failure(exc) and not str(exc):
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == test_file]
            if frames and frames[-1].lineno:
                line = linecache.getline(test_file, frames[-1].lineno).strip()
                return f"failed: {line}"[:1000]
            return "assertion failed"
        if is_failure(exc) or isinstance(exc, unittest.SkipTest):
            return str(exc)[:1000]
        return f"{type(exc).__name__}: {exc}"[:1000]
    except Exception:  # noqa: BLE001 - a learner object's str() may fail here
        return f"{type(exc).__name__}"


_original_almost_equal = unittest.TestCase.assertAlmostEqual
_original_not_almost_equal = unittest.TestCase.assertNotAlmostEqual


def _almost_equal(self, first, second, places=None, msg=None, delta=None):  # noqa: ANN001
    # It would compute `first - second` in learner code: the test's value would go there.
    if isinstance(first, RemoteHandle) != isinstance(second, RemoteHandle):
        raise self.failureException(
            self._formatMessage(
                msg, f"{unittest.util.safe_repr(first)} != {unittest.util.safe_repr(second)}"
            )
        )
    return _original_almost_equal(self, first, second, places, msg, delta)


def _not_almost_equal(self, first, second, places=None, msg=None, delta=None):  # noqa: ANN001
    if isinstance(first, RemoteHandle) != isinstance(second, RemoteHandle):
        return None
    return _original_not_almost_equal(self, first, second, places, msg, delta)


unittest.TestCase.assertAlmostEqual = _almost_equal  # type: ignore[method-assign]
unittest.TestCase.assertNotAlmostEqual = _not_almost_equal  # type: ignore[method-assign]


# --------------------------------------------------------------------------- grading


@dataclass
class PlannedTest:
    module: int
    name: str
    visibility: str
    path: str


def plan_tests(job: Job) -> list[PlannedTest]:
    """The tests to run, listed before any learner code runs."""
    planned: list[PlannedTest] = []
    if job.kind == "program":
        for spec in job.tests:
            try:
                with open(spec["path"], encoding="utf-8") as f:
                    cases = json.load(f)
            except (OSError, ValueError) as exc:
                raise ContentFault(f"{spec['path']}: {exc}") from None
            planned += [
                PlannedTest(0, str(case["name"]), spec["visibility"], spec["path"])
                for case in cases
            ]
        return planned
    sys.modules["solution"] = SolutionModule(None, {})
    known = set(sys.modules)
    for index, spec in enumerate(job.tests):
        try:
            module = load_test_module(
                spec["path"], f"coderunner_plan_{index}", job.compiled_tests.get(spec["path"])
            )
        except Exception as exc:  # noqa: BLE001 - the problem's tests are broken
            raise ContentFault(
                f"{spec['path']} cannot be imported: {type(exc).__name__}: {exc}"
            ) from None
        planned += [
            PlannedTest(index, name, spec["visibility"], spec["path"])
            for name, _ in collect_tests(module)
        ]
    _forget_helpers(job.test_dir, known)
    return planned


def _forget_helpers(test_dir: str, known: set[str]) -> None:
    """Drop helper modules imported while planning (modules not in ``known``, from
    ``test_dir``): they hold planning stand-ins."""
    if not test_dir:
        return
    prefix = test_dir.rstrip("/") + "/"
    for name in [name for name in sys.modules if name not in known]:
        if str(getattr(sys.modules[name], "__file__", "") or "").startswith(prefix):
            del sys.modules[name]


def grade(job: Job, sock: ByteStream | None = None) -> dict:
    started = time.monotonic()
    sys.dont_write_bytecode = True  # never write caches into the content folder
    if job.test_dir and job.test_dir not in sys.path:
        sys.path.insert(0, job.test_dir)
    planned = plan_tests(job)
    if sock is None:
        try:
            sock = attach(job.docker_socket, job.container_id)
        except (OSError, SandboxFault) as exc:
            raise SandboxUnavailable(f"cannot attach to the sandbox: {exc}") from None
    max_line = 4 * job.max_output_bytes + (1 << 20)
    channel = Channel(
        sock,
        started + job.time_limit_seconds,
        max_line_bytes=max_line,
        max_total_bytes=4 * max_line,
    )
    session = Session(channel)
    outcomes: dict[int, TestOutcome] = {}
    try:
        if job.kind == "program":
            _check_alive(session)
            verdict, message = _grade_program(session, job, planned, outcomes)
        else:
            load = {"op": "load", "source": job.source, "files": job.files_payload()}
            _check_alive(session, then=load)
            verdict, message = _grade_function(session, job, planned, outcomes, load)
    except SandboxFault as exc:
        verdict, message = exc.verdict, _fault_message(exc, job)
    finally:
        try:
            sock.close()
        except OSError:
            pass
    tests = [
        outcomes.get(i) or TestOutcome(p.name, "error", p.visibility, "not finished")
        for i, p in enumerate(planned)
    ]
    passed = sum(1 for o in tests if o.status == "pass")
    total = len(planned)
    if verdict == "passed" and (passed < total or total == 0):
        verdict = "failed"
        message = f"{passed} of {total} tests passed."
    if verdict == "passed":
        message = f"All {total} tests passed."
    if verdict == "syntax_error":
        tests = []
    return {
        "verdict": verdict,
        "message": message,
        "passed": passed if verdict != "syntax_error" else 0,
        "total": total,
        "tests": [o.public_view() for o in tests],
        # For teachers only (never in a learner's view): why each hidden test failed.
        "hidden_detail": [
            {"name": o.name, "message": o.message[:HIDDEN_DETAIL_CHARS]}
            for o in tests
            if o.visibility == "hidden" and o.status != "pass" and o.message
        ],
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }


def _fault_message(exc: SandboxFault, job: Job) -> str:
    if isinstance(exc, SandboxTimeout):
        return f"Your code ran longer than the {job.time_limit_seconds:g} s time limit."
    if isinstance(exc, SandboxOutputLimit):
        return "Your code printed more output than allowed."
    return f"Your code stopped the grader from talking to it ({exc})."


def _check_alive(session: Session, then: dict[str, Any] | None = None) -> None:
    """Ping the call server before any learner code runs.

    A pooled sandbox may have died while it waited (daemon restart, OOM of the host).
    Failing here is an infrastructure fault that the worker retries with a new sandbox,
    never a verdict against the learner. ``then``, the first request with learner code,
    is sent right behind the ping (``Session.send_ahead``): the call server answers the
    ping before it runs any, so the ping still tells a dead sandbox from learner code.
    """
    try:
        ping = session.send({"op": "ping"})
        if then is not None:
            session.send_ahead(then)
        reply = session.reply(ping)
    except SandboxFault as exc:
        raise SandboxUnavailable(str(exc)) from None
    if not reply["ok"]:
        raise SandboxUnavailable("the sandbox did not answer a ping")
    session.fatal = None


def _load_error(error: Any) -> tuple[str, str]:
    """The verdict for learner code that does not load (its reply is hostile data)."""
    error = error if isinstance(error, dict) else {}
    type_name, text, line = error.get("type"), error.get("message", ""), error.get("line")
    type_name = type_name if isinstance(type_name, str) else "an error"
    text = text if isinstance(text, str) else ""
    where = f" on line {line}" if type(line) is int else ""
    if type_name in SYNTAX_ERRORS:
        return "syntax_error", f"Syntax error{where}: {text}"[:1000]
    return "crashed", f"Your code raised {type_name[:100]}{where} while loading: {text}"[:1000]


def _grade_function(
    session: Session,
    job: Job,
    planned: list[PlannedTest],
    outcomes: dict[int, TestOutcome],
    load: dict[str, Any],
) -> tuple[str, str]:
    reply = session.request(load)
    if not reply["ok"]:
        return _load_error(reply.get("error"))
    try:
        names = check_names(reply.get("names"))
    except SandboxFault as exc:
        session.fatal = exc
        raise
    sys.modules["solution"] = SolutionModule(session, names, job.solution_names)
    drawn_cache: dict[str, Any] = {}
    drawing.use(lambda: _sandbox_drawing(session, drawn_cache))
    runners: dict[tuple[int, str], TestRun] = {}
    import_errors: dict[int, str] = {}
    for index, spec in enumerate(job.tests):
        try:
            module = load_test_module(
                spec["path"], f"coderunner_tests_{index}", job.compiled_tests.get(spec["path"])
            )
        except SandboxFault:
            raise
        except Exception as exc:  # noqa: BLE001 - learner code ran during the import
            import_errors[index] = describe_failure(exc, spec["path"])
            continue
        for name, run in collect_tests(module):
            runners[(index, name)] = run
    for position, test in enumerate(planned):
        found = runners.get((test.module, test.name))
        if found is None:
            why = import_errors.get(test.module, "the test did not run")
            outcomes[position] = TestOutcome(
                test.name, "error", test.visibility, f"The tests could not start: {why}"
            )
            continue
        session.stdout.clear()
        session.callback_failures.clear()
        status, problem = found()
        if session.fatal:
            raise session.fatal
        if status == "pass" and session.callback_failures:
            status, problem = "fail", session.callback_failures[0]
        detail = getattr(problem, "coderunner_detail", None) if status == "fail" else None
        outcomes[position] = TestOutcome(
            test.name,
            status,
            test.visibility,
            describe_failure(problem, test.path) if status != "pass" else "",
            "".join(session.stdout)[: job.max_output_bytes],
            detail if isinstance(detail, dict) else None,
        )
    return "passed", ""


def _sandbox_drawing(session: Session, cache: dict[str, Any]) -> Any:
    """The sandbox's drawing record, raw (``drawing.parse`` reads it as hostile data).

    Asked again only after learner code ran again (another request), so tests that look
    at one picture many times do not send it many times.
    """
    if cache.get("after") == session.requests_made:
        return cache["record"]
    reply = session.request({"op": "drawing"})
    if not reply["ok"]:
        raise drawing.DrawingError("Your drawing could not be read.")
    cache.update(after=session.requests_made, record=reply.get("value"))
    return cache["record"]


def _grade_program(
    session: Session, job: Job, planned: list[PlannedTest], outcomes: dict[int, TestOutcome]
) -> tuple[str, str]:
    files = job.files_payload()
    cases = []
    for spec in job.tests:
        with open(spec["path"], encoding="utf-8") as f:
            cases += json.load(f)
    for position, (test, case) in enumerate(zip(planned, cases, strict=True)):
        session.stdout.clear()
        reply = session.request(
            {
                "op": "run",
                "source": job.source,
                "stdin": str(case.get("stdin", "")),
                "files": files,
            }
        )
        if not reply["ok"]:
            error: dict[str, Any] = reply["error"] if isinstance(reply.get("error"), dict) else {}
            if error.get("type") in SYNTAX_ERRORS:
                return _load_error(error)
            verdict, message = _load_error(error)
            outcomes[position] = TestOutcome(
                test.name, "error", test.visibility, message.replace(" while loading", "")
            )
            continue
        printed = "".join(session.stdout)
        got, want = _normalise(printed), _normalise(str(case.get("stdout", "")))
        if got == want:
            outcomes[position] = TestOutcome(test.name, "pass", test.visibility)
        else:
            stdin = str(case.get("stdin", ""))
            outcomes[position] = TestOutcome(
                test.name,
                "fail",
                test.visibility,
                friendly.explain_output(want, got)[:1000],
                printed[: job.max_output_bytes],
                {
                    "stdin": stdin[:2000],
                    "expected": want[: job.max_output_bytes],
                    "got": got[: job.max_output_bytes],
                },
            )
    return "passed", ""


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def run_job(raw: dict) -> dict:
    """Grade one job. Every failure becomes a result the worker can act on: verdicts for
    what the learner did, ``internal_error`` (retried a few times) for the rest."""
    try:
        return grade(Job(**raw))
    except SandboxUnavailable as exc:
        message = f"sandbox unavailable: {exc}"
    except ContentFault as exc:
        message = f"the problem's tests are broken: {exc}"
    except Exception as exc:  # noqa: BLE001 - a bug of ours: report, the worker retries
        message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
    return {"verdict": "internal_error", "message": message, "tests": [], "passed": 0, "total": 0}
