"""The call server that runs inside a grading sandbox.

This file is sent to the sandbox as the argument of ``python -c`` and must only use the
standard library. It loads the learner's code as a module and answers calls on it, one
JSON request per line on stdin, one JSON reply per line on stdout. It never sees a test
or an expected value: the trusted runner (``runner.py``) makes the calls and judges the
answers outside this container.

Everything here runs in the same process as the learner's code, so nothing it says is
trusted: the runner treats every reply as a value the learner chose to return.
"""

import io
import json
import math
import os
import sys
import traceback
import types

PROTOCOL_OUT = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
PROTOCOL_IN = os.fdopen(os.dup(0), "r", encoding="utf-8")
MAX_CAPTURE = int(os.environ.get("CODERUNNER_MAX_OUTPUT_BYTES", "65536"))
MAX_DEPTH = 50

# Learner prints go to a capture buffer, never to the protocol stream.
devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(devnull, 0)
os.dup2(devnull, 1)


class OutputLimitExceeded(BaseException):
    """Raised into the learner's code when it prints past the cap, so a print loop ends
    with an output-limit verdict instead of running into the time limit."""


class CappedWriter(io.TextIOBase):
    """A text sink that keeps at most MAX_CAPTURE characters and remembers it was cut."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError("write() argument must be str")
        room = MAX_CAPTURE - self.size
        if len(s) > room:
            self.truncated = True
            s = s[: max(room, 0)]
        if s:
            self.parts.append(s)
            self.size += len(s)
        if self.truncated:
            raise OutputLimitExceeded(f"printed more than {MAX_CAPTURE} characters")
        return len(s)

    def take(self) -> tuple[str, bool]:
        text, cut = "".join(self.parts), self.truncated
        self.parts, self.size, self.truncated = [], 0, False
        return text, cut


capture = CappedWriter()
sys.stdout = capture
sys.stderr = capture

handles: dict[int, object] = {}
module = types.ModuleType("solution")
PLAIN = (type(None), bool, int, float, str)


def encode(value, depth=0):
    """Turn a value into plain JSON; anything else stays here behind a handle."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if isinstance(value, float) and not math.isfinite(value):
        return {"__t": "float", "v": repr(value)}
    if type(value) in PLAIN:
        return value
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is tuple:
        return {"__t": "tuple", "v": [encode(v, depth + 1) for v in value]}
    if type(value) in (set, frozenset):
        return {"__t": type(value).__name__, "v": [encode(v, depth + 1) for v in value]}
    if type(value) is dict:
        if all(type(k) is str and k != "__t" for k in value):
            return {k: encode(v, depth + 1) for k, v in value.items()}
        return {"__t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)]
                                      for k, v in value.items()]}
    if type(value) is bytes:
        return {"__t": "bytes", "v": value.hex()}
    hid = id(value)
    handles[hid] = value
    kind = "callable" if callable(value) else "object"
    return {"__t": "handle", "id": hid, "kind": kind, "type": type(value).__name__}


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        tag = value.get("__t")
        if tag is None:
            return {k: decode(v) for k, v in value.items()}
        inner = value.get("v")
        if tag == "tuple":
            return tuple(decode(v) for v in inner)
        if tag == "set":
            return {decode(v) for v in inner}
        if tag == "frozenset":
            return frozenset(decode(v) for v in inner)
        if tag == "dict":
            return {decode(k): decode(v) for k, v in inner}
        if tag == "bytes":
            return bytes.fromhex(inner)
        if tag == "float":
            return float(inner)
        if tag == "handle":
            return handles[value["id"]]
        raise ValueError(f"unknown tag {tag!r}")
    return value


def builtin_bases(cls: type) -> list[str]:
    """Names of the builtin exception types this class derives from, nearest first."""
    return [k.__name__ for k in cls.__mro__ if k.__module__ == "builtins"]


def error_reply(exc: BaseException) -> dict:
    err = {"type": type(exc).__name__, "message": str(exc)[:2000],
           "bases": builtin_bases(type(exc))}
    if isinstance(exc, SyntaxError):
        err["line"] = exc.lineno
    else:
        tb = traceback.extract_tb(exc.__traceback__)
        lines = [f.lineno for f in tb if f.filename == "<solution>"]
        if lines:
            err["line"] = lines[-1]
    return {"ok": False, "error": err}


def resolve(target):
    if target is None:
        return module
    if isinstance(target, str):
        return getattr(module, target)
    return handles[target]


DUNDERS = {
    "len": len,
    "str": str,
    "bool": bool,
    "iter": list,
    "eq": lambda obj, other: obj == other,
    "contains": lambda obj, item: item in obj,
    "getitem": lambda obj, key: obj[key],
}


def handle(request: dict) -> dict:
    op = request.get("op")
    if op == "ping":
        return {"ok": True}
    if op == "load":
        source = request["source"]
        code = compile(source, "<solution>", "exec")
        module.__dict__["__name__"] = "solution"
        sys.modules["solution"] = module
        exec(code, module.__dict__)
        names = {}
        for name, value in list(module.__dict__.items()):
            if name.startswith("__"):
                continue
            if isinstance(value, type) and issubclass(value, BaseException):
                names[name] = "exception:" + builtin_bases(value)[0]
            elif isinstance(value, type):
                names[name] = "class"
            elif callable(value):
                names[name] = "function"
            elif isinstance(value, types.ModuleType):
                continue
            else:
                names[name] = "value"
        return {"ok": True, "names": names}
    if op == "run":
        source = request["source"]
        code = compile(source, "<solution>", "exec")
        sys.stdin = io.StringIO(request.get("stdin", ""))
        namespace = {"__name__": "__main__"}
        exit_code = 0
        try:
            exec(code, namespace)
        except SystemExit as exc:
            exit_code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return {"ok": True, "exit": exit_code}
    if op == "getattr":
        return {"ok": True, "value": encode(getattr(resolve(request["target"]), request["attr"]))}
    if op == "call":
        fn = resolve(request["target"])
        args = decode(request.get("args", []))
        kwargs = decode(request.get("kwargs", {}))
        return {"ok": True, "value": encode(fn(*args, **kwargs))}
    if op == "dunder":
        fn = DUNDERS[request["name"]]
        args = decode(request.get("args", []))
        return {"ok": True, "value": encode(fn(resolve(request["target"]), *args))}
    if op == "release":
        handles.pop(request["target"], None)
        return {"ok": True}
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    for line in PROTOCOL_IN:
        try:
            request = json.loads(line)
            rid = request.get("id")
        except ValueError:
            continue
        try:
            reply = handle(request)
        except BaseException as exc:  # the learner's failure is an answer, not our crash
            if isinstance(exc, (KeyboardInterrupt,)):
                raise
            reply = error_reply(exc)
        out, cut = capture.take()
        reply["id"] = rid
        reply["stdout"] = out
        reply["stdout_truncated"] = cut
        try:
            text = json.dumps(reply)
        except (TypeError, ValueError) as exc:
            text = json.dumps({"id": rid, **error_reply(exc)})
        PROTOCOL_OUT.write(text + "\n")


main()
