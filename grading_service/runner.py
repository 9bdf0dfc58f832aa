"""The trusted test runner.

Runs as its own short-lived process on the grading host (``python -m
grading_service.runner``), one per submission. It attaches to the submission's sandbox
container, loads the learner's code there through the call server in
``sandbox_agent.py``, and then imports the problem's test modules *here*, with the
learner's module replaced by a proxy whose functions run in the sandbox. Test code,
expected values and verdicts never enter the sandbox, so patching ``unittest``, exiting
early or printing a fake report there changes nothing on this side.

Input: one JSON job on stdin. Output: one JSON result on stdout.
"""

from __future__ import annotations

import builtins
import importlib.util
import inspect
import json
import linecache
import socket
import struct
import sys
import time
import traceback
import types
import unittest
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

# --------------------------------------------------------------------------- channel


class SandboxFault(Exception):
    """The sandbox stopped answering properly; grading cannot go on."""

    verdict = "crashed"


class SandboxTimeout(SandboxFault):
    verdict = "timeout"


class SandboxOutputLimit(SandboxFault):
    verdict = "output_limit"


class SandboxUnavailable(Exception):
    """The sandbox was not answering before the learner's code ran: not their fault."""


def attach(docker_socket: str, container_id: str) -> socket.socket:
    """Attach to a running container's stdin/stdout through the Docker API.

    After the ``101 UPGRADED`` answer the connection carries stdin raw and the
    container's output multiplexed in frames (8-byte header: stream, size).
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(docker_socket)
    path = f"/containers/{quote(container_id)}/attach?stream=1&stdin=1&stdout=1&stderr=1"
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\n"
        "Upgrade: tcp\r\nContent-Length: 0\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise SandboxFault("Docker closed the attach connection")
        head += chunk
        if len(head) > 65536:
            raise SandboxFault("Docker sent an oversized attach answer")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    if " 101 " not in status_line and " 200 " not in status_line:
        raise SandboxFault(f"Docker refused to attach: {status_line}")
    rest = head.split(b"\r\n\r\n", 1)[1]
    if rest:
        # Nothing is expected before our first request; keep it if it came anyway.
        sock = _PrefixedSocket(sock, rest)  # type: ignore[assignment]
    return sock


class _PrefixedSocket:
    def __init__(self, sock: socket.socket, prefix: bytes) -> None:
        self._sock, self._prefix = sock, prefix

    def recv(self, n: int) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix[:n], self._prefix[n:]
            return data
        return self._sock.recv(n)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Channel:
    """JSON lines to and from the call server, with a deadline and a size cap."""

    def __init__(self, sock: socket.socket, deadline: float, max_reply_bytes: int) -> None:
        self.sock = sock
        self.deadline = deadline
        self.max_reply_bytes = max_reply_bytes
        self.pending = bytearray()
        self.next_id = 0

    def _recv(self, n: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxTimeout("time limit exceeded")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(n)
        except TimeoutError:
            raise SandboxTimeout("time limit exceeded") from None
        except OSError as exc:
            raise SandboxFault(f"lost the sandbox: {exc}") from None
        if not data:
            raise SandboxFault("the sandbox process ended")
        return data

    def _read_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            buf += self._recv(n - len(buf))
        return bytes(buf)

    def read_line(self) -> bytes:
        while b"\n" not in self.pending:
            header = self._read_exact(8)
            stream, size = header[0], struct.unpack(">I", header[4:])[0]
            if size > self.max_reply_bytes:
                raise SandboxOutputLimit("output limit exceeded")
            payload = self._read_exact(size)
            if stream == 1:
                self.pending += payload
            if len(self.pending) > self.max_reply_bytes:
                raise SandboxOutputLimit("output limit exceeded")
        line, _, rest = bytes(self.pending).partition(b"\n")
        self.pending = bytearray(rest)
        return line

    def request(self, message: dict) -> dict:
        self.next_id += 1
        message = {**message, "id": self.next_id}
        try:
            self.sock.sendall(json.dumps(message).encode() + b"\n")
        except OSError as exc:
            raise SandboxFault(f"lost the sandbox: {exc}") from None
        while True:
            try:
                reply = json.loads(self.read_line())
            except ValueError:
                raise SandboxFault("the sandbox answered garbage") from None
            if isinstance(reply, dict) and reply.get("id") == self.next_id:
                return reply


# --------------------------------------------------------------------------- proxies


class RemoteError(Exception):
    """An exception raised by learner code whose type is not a builtin exception."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name


def builtin_exception(name: str) -> type[Exception] | None:
    exc_type = getattr(builtins, name, None)
    if isinstance(exc_type, type) and issubclass(exc_type, Exception) and \
            exc_type.__module__ == "builtins":
        return exc_type
    return None


class ExceptionTypes:
    """Local stand-ins for the learner's exception classes, so that tests can write
    ``assertRaises(solution.TooCold)`` and ``except ValueError`` catches a learner's
    ``class TooCold(ValueError)``. Only names cross the boundary, never objects."""

    def __init__(self) -> None:
        self.types: dict[str, type[Exception]] = {}

    def define(self, name: str, base_name: str) -> type[Exception]:
        if name not in self.types:
            base = builtin_exception(base_name) or RemoteError
            self.types[name] = type(name, (base,), {"__module__": "solution"})
        return self.types[name]

    def build(self, error: dict) -> BaseException:
        name, message = str(error.get("type", "Exception")), str(error.get("message", ""))
        exc_type = self.types.get(name) or builtin_exception(name)
        if exc_type is None:
            bases = [str(b) for b in error.get("bases") or [] if isinstance(b, str)]
            base = next((b for b in bases if builtin_exception(b)), None)
            if base is None:
                return RemoteError(name, message)
            exc_type = self.define(name, base)
        try:
            return exc_type(message) if exc_type is not RemoteError else RemoteError(name,
                                                                                      message)
        except Exception:  # noqa: BLE001 - exotic constructor signatures
            return RemoteError(name, message)


class Session:
    """Everything the proxies share: the channel, the fatal fault and captured output."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.fatal: SandboxFault | None = None
        self.stdout: list[str] = []
        self.exceptions = ExceptionTypes()

    def call(self, message: dict) -> Any:
        if self.fatal:
            raise self.fatal
        try:
            reply = self.channel.request(message)
        except SandboxFault as exc:
            self.fatal = exc
            raise
        if reply.get("stdout"):
            self.stdout.append(str(reply["stdout"]))
        if reply.get("stdout_truncated"):
            self.fatal = SandboxOutputLimit("output limit exceeded")
            raise self.fatal
        if not reply.get("ok"):
            error = reply.get("error") or {}
            raise self.exceptions.build(error if isinstance(error, dict) else {})
        return self.decode(reply.get("value"))

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > 50:
            raise ValueError("value nested too deeply to send to the sandbox")
        if isinstance(value, RemoteHandle):
            return {"__t": "handle", "id": value._cr_id}
        if value is None or type(value) in (bool, int, str):
            return value
        if type(value) is float:
            return value if value == value and abs(value) != float("inf") else {
                "__t": "float", "v": repr(value)}
        if type(value) is list:
            return [self.encode(v, depth + 1) for v in value]
        if type(value) is tuple:
            return {"__t": "tuple", "v": [self.encode(v, depth + 1) for v in value]}
        if type(value) in (set, frozenset):
            return {"__t": type(value).__name__, "v": [self.encode(v, depth + 1) for v in value]}
        if type(value) is bytes:
            return {"__t": "bytes", "v": value.hex()}
        if type(value) is dict:
            if all(type(k) is str and k != "__t" for k in value):
                return {k: self.encode(v, depth + 1) for k, v in value.items()}
            return {"__t": "dict", "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                          for k, v in value.items()]}
        raise TypeError(f"cannot send a {type(value).__name__} to the learner's code")

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if isinstance(value, dict):
            tag = value.get("__t")
            if tag is None:
                return {k: self.decode(v) for k, v in value.items()}
            inner = value.get("v")
            if tag == "tuple":
                return tuple(self.decode(v) for v in inner)
            if tag == "set":
                return {self.decode(v) for v in inner}
            if tag == "frozenset":
                return frozenset(self.decode(v) for v in inner)
            if tag == "dict":
                return {self.decode(k): self.decode(v) for k, v in inner}
            if tag == "bytes":
                return bytes.fromhex(str(inner))
            if tag == "float":
                return float(str(inner))
            if tag == "handle":
                return RemoteHandle(self, int(value["id"]), str(value.get("type", "object")))
            raise SandboxFault(f"unknown value tag {tag!r} from the sandbox")
        return value


class RemoteHandle:
    """An object that lives in the sandbox: attribute reads and calls go there."""

    def __init__(self, session: Session, target: int | str, type_name: str) -> None:
        object.__setattr__(self, "_cr_session", session)
        object.__setattr__(self, "_cr_id", target)
        object.__setattr__(self, "_cr_type", type_name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._cr_session.call({"op": "getattr", "target": self._cr_id, "attr": name})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        session = self._cr_session
        return session.call({
            "op": "call",
            "target": self._cr_id,
            "args": [session.encode(a) for a in args],
            "kwargs": {k: session.encode(v) for k, v in kwargs.items()},
        })

    def __repr__(self) -> str:
        return f"<{self._cr_type} in the sandbox>"

    # Python looks special methods up on the type, so the common ones are forwarded
    # explicitly; each is one call answered in the sandbox.
    def _cr_dunder(self, name: str, *args: Any) -> Any:
        session = self._cr_session
        return session.call({"op": "dunder", "target": self._cr_id, "name": name,
                             "args": [session.encode(a) for a in args]})

    def __len__(self) -> int:
        value = self._cr_dunder("len")
        if type(value) is not int:
            raise TypeError("len() of the learner's object did not give an int")
        return value

    def __str__(self) -> str:
        value = self._cr_dunder("str")
        if not isinstance(value, str):
            raise TypeError("str() of the learner's object did not give a str")
        return value

    def __bool__(self) -> bool:
        return self._cr_dunder("bool") is True

    def __eq__(self, other: object) -> Any:
        return self._cr_dunder("eq", other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __contains__(self, item: Any) -> bool:
        return self._cr_dunder("contains", item) is True

    def __getitem__(self, key: Any) -> Any:
        return self._cr_dunder("getitem", key)

    def __iter__(self) -> Any:
        values = self._cr_dunder("iter")
        if not isinstance(values, list):
            raise TypeError("iterating the learner's object did not give values")
        return iter(values)


class SolutionModule(types.ModuleType):
    """Stands in for the learner's module inside the trusted test modules."""

    def __init__(self, session: Session, names: dict[str, str]) -> None:
        super().__init__("solution")
        self._cr_session = session
        self._cr_names = names

    def __getattr__(self, name: str) -> Any:
        kind = self.__dict__["_cr_names"].get(name)
        session = self.__dict__["_cr_session"]
        if kind is None:
            raise AttributeError(f"your code does not define {name!r}")
        if kind.startswith("exception:"):
            return session.exceptions.define(name, kind.partition(":")[2])
        if kind in ("function", "class"):
            return RemoteHandle(session, name, kind)
        return session.call({"op": "getattr", "target": None, "attr": name})


# --------------------------------------------------------------------------- tests


@dataclass
class TestOutcome:
    name: str
    status: str  # pass | fail | error
    visibility: str  # public | hidden
    message: str = ""
    stdout: str = ""

    def public_view(self) -> dict:
        """What a learner may see: hidden tests show name and pass/fail only."""
        out = {"name": self.name, "status": self.status, "visibility": self.visibility}
        if self.visibility == "public":
            out["message"] = self.message
            out["stdout"] = self.stdout
        else:
            out["message"] = ""
        return out


def describe_failure(exc: BaseException, test_file: str) -> str:
    """A readable one-liner for a failed public test."""
    if is_failure(exc):
        if str(exc):
            return str(exc)[:1000]
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == test_file]
        if frames:
            line = linecache.getline(test_file, frames[-1].lineno).strip()
            return f"failed: {line}"[:1000]
        return "assertion failed"
    return f"{type(exc).__name__}: {exc}"[:1000]


def load_test_module(path: str, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def collect_tests(module: types.ModuleType) -> list[tuple[str, Callable[[], BaseException | None]]]:
    """pytest-style ``test_*`` functions and ``unittest.TestCase`` methods, in file order."""
    tests: list[tuple[str, Callable[[], BaseException | None]]] = []
    for name, obj in list(vars(module).items()):
        if name.startswith("test") and inspect.isfunction(obj):
            tests.append((name, _function_runner(obj)))
        elif inspect.isclass(obj) and issubclass(obj, unittest.TestCase):
            for method in unittest.defaultTestLoader.getTestCaseNames(obj):
                tests.append((f"{name}.{method}", _case_runner(obj(method))))
    return tests


def is_failure(exc: BaseException) -> bool:
    """A failed check (assert, unittest, ``pytest.raises``/``pytest.fail``), not an error."""
    return isinstance(exc, AssertionError) or (
        type(exc).__name__ == "Failed"
        and any(k.__name__ == "OutcomeException" for k in type(exc).__mro__))


def _function_runner(fn: Callable[[], Any]) -> Callable[[], BaseException | None]:
    def run() -> BaseException | None:
        try:
            fn()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - pytest's Failed is a BaseException
            return exc
        return None

    return run


class _FirstProblem(unittest.TestResult):
    """Keeps the first exception a TestCase method raised, failure or error."""

    def __init__(self) -> None:
        super().__init__()
        self.exc: BaseException | None = None

    def addFailure(self, test, err) -> None:  # noqa: N802 - unittest's API
        super().addFailure(test, err)
        self.exc = self.exc or err[1]

    def addError(self, test, err) -> None:  # noqa: N802
        super().addError(test, err)
        self.exc = self.exc or err[1]

    def addSubTest(self, test, subtest, err) -> None:  # noqa: N802
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.exc = self.exc or err[1]


def _case_runner(case: unittest.TestCase) -> Callable[[], BaseException | None]:
    def run() -> BaseException | None:
        result = _FirstProblem()
        case.run(result)
        return result.exc

    return run


@dataclass
class Job:
    container_id: str
    docker_socket: str
    kind: str  # function | program
    source: str
    tests: list[dict] = field(default_factory=list)  # {"path", "visibility"} or cases
    time_limit_seconds: float = 10.0
    max_output_bytes: int = 65536


def grade(job: Job, sock: socket.socket | None = None) -> dict:
    started = time.monotonic()
    if sock is None:
        try:
            sock = attach(job.docker_socket, job.container_id)
        except (OSError, SandboxFault) as exc:
            raise SandboxUnavailable(f"cannot attach to the sandbox: {exc}") from None
    channel = Channel(sock, started + job.time_limit_seconds,
                      max_reply_bytes=4 * job.max_output_bytes + (1 << 20))
    session = Session(channel)
    outcomes: list[TestOutcome] = []
    verdict, message = "passed", ""
    try:
        if job.kind == "program":
            verdict, message = _grade_program(session, job, outcomes)
        else:
            verdict, message = _grade_function(session, job, outcomes)
    except SandboxFault as exc:
        verdict, message = exc.verdict, _fault_message(exc, job)
    finally:
        try:
            sock.close()
        except OSError:
            pass
    passed = sum(1 for o in outcomes if o.status == "pass")
    total = _count_tests(job, outcomes)
    if verdict == "passed" and passed < total:
        verdict = "failed"
        message = f"{passed} of {total} tests passed."
    if verdict == "passed":
        message = f"All {total} tests passed."
    return {
        "verdict": verdict,
        "message": message,
        "passed": passed,
        "total": total,
        "tests": [o.public_view() for o in outcomes],
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }


def _count_tests(job: Job, outcomes: list[TestOutcome]) -> int:
    return len(outcomes)


def _fault_message(exc: SandboxFault, job: Job) -> str:
    if isinstance(exc, SandboxTimeout):
        return f"Your code ran longer than the {job.time_limit_seconds:g} s time limit."
    if isinstance(exc, SandboxOutputLimit):
        return "Your code printed more output than allowed."
    return f"Your code stopped the sandbox ({exc})."


def _check_alive(session: Session) -> None:
    """Ping the call server before any learner code runs.

    A pooled sandbox may have died while it waited (daemon restart, OOM of the host).
    Failing here is an infrastructure fault that the worker retries with a new sandbox,
    never a verdict against the learner.
    """
    try:
        reply = session.channel.request({"op": "ping"})
    except SandboxFault as exc:
        raise SandboxUnavailable(str(exc)) from None
    if not reply.get("ok"):
        raise SandboxUnavailable("the sandbox did not answer a ping")


def _grade_function(session: Session, job: Job, outcomes: list[TestOutcome]) -> tuple[str, str]:
    _check_alive(session)
    try:
        reply = session.channel.request({"op": "load", "source": job.source})
    except SandboxFault as exc:
        session.fatal = exc
        raise
    if not reply.get("ok"):
        error = reply.get("error") or {}
        line = error.get("line")
        where = f" on line {line}" if line else ""
        if error.get("type") in ("SyntaxError", "IndentationError", "TabError"):
            return "syntax_error", f"Syntax error{where}: {error.get('message', '')}"
        return "crashed", f"Your code raised {error.get('type')}{where} while loading: " \
                          f"{error.get('message', '')}"
    names = reply.get("names") if isinstance(reply.get("names"), dict) else {}
    proxy = SolutionModule(session, {str(k): str(v) for k, v in names.items()})
    sys.modules["solution"] = proxy
    planned = []
    for index, spec in enumerate(job.tests):
        module = load_test_module(spec["path"], f"coderunner_tests_{index}")
        planned += [(spec, name, run) for name, run in collect_tests(module)]
    for position, (spec, name, run) in enumerate(planned):
        visibility = spec["visibility"]
        session.stdout.clear()
        exc = run()
        if session.fatal:
            for later_spec, later, _ in planned[position:]:
                outcomes.append(
                    TestOutcome(later, "error", later_spec["visibility"], "not finished"))
            raise session.fatal
        if exc is None:
            status, msg = "pass", ""
        elif is_failure(exc):
            status, msg = "fail", describe_failure(exc, spec["path"])
        else:
            status, msg = "error", describe_failure(exc, spec["path"])
        outcomes.append(TestOutcome(name, status, visibility, msg,
                                    "".join(session.stdout)[: job.max_output_bytes]))
    return "passed", ""


def _grade_program(session: Session, job: Job, outcomes: list[TestOutcome]) -> tuple[str, str]:
    _check_alive(session)
    planned = []
    for spec in job.tests:
        with open(spec["path"], encoding="utf-8") as f:
            planned += [(spec["visibility"], case) for case in json.load(f)]
    for position, (visibility, case) in enumerate(planned):
        try:
            reply = session.channel.request(
                {"op": "run", "source": job.source, "stdin": case.get("stdin", "")})
            if reply.get("stdout_truncated"):
                raise SandboxOutputLimit("output limit exceeded")
        except SandboxFault:
            for later_visibility, later in planned[position:]:
                outcomes.append(TestOutcome(later["name"], "error", later_visibility,
                                            "not finished"))
            raise
        if not reply.get("ok"):
            error = reply.get("error") or {}
            if error.get("type") in ("SyntaxError", "IndentationError", "TabError"):
                outcomes.clear()
                return "syntax_error", (f"Syntax error on line {error.get('line')}: "
                                        f"{error.get('message', '')}")
            outcomes.append(TestOutcome(case["name"], "error", visibility,
                                        f"{error.get('type')}: {error.get('message', '')}"))
            continue
        got = _normalise(str(reply.get("stdout", "")))
        want = _normalise(str(case.get("stdout", "")))
        if got == want:
            outcomes.append(TestOutcome(case["name"], "pass", visibility))
        else:
            outcomes.append(TestOutcome(
                case["name"], "fail", visibility,
                f"expected output {want!r}, got {got!r}"[:1000],
                str(reply.get("stdout", ""))[: job.max_output_bytes]))
    return "passed", ""


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def run_job(raw: dict) -> dict:
    """Grade one job; every failure becomes a result the worker can act on."""
    sys.dont_write_bytecode = True  # never write caches into the content folder
    try:
        return grade(Job(**raw))
    except SandboxUnavailable as exc:
        message = f"sandbox unavailable: {exc}"
    except Exception as exc:  # noqa: BLE001 - report, the worker decides about retries
        message = f"{type(exc).__name__}: {exc}"
    return {"verdict": "internal_error", "message": message, "tests": [], "passed": 0,
            "total": 0}


def main() -> None:
    json.dump(run_job(json.load(sys.stdin)), sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
