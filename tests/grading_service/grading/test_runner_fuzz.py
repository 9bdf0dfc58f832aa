"""The runner against a fake call server that answers with random, malformed, deep and
oversized replies: it always ends with a verdict, never an exception."""

from __future__ import annotations

import json
import struct
import textwrap
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grading_service.grading.runner import Job, grade

TESTS = textwrap.dedent("""
    import unittest
    from solution import add, Box, LIMIT

    def test_add():
        assert add(1, 2) == 3

    def test_box():
        b = Box(2)
        assert b.size() == 2 and len(b) == 1 and 2 in b and b == Box(2)

    class T(unittest.TestCase):
        def test_limit(self):
            self.assertEqual(LIMIT, 10)
            self.assertEqual(str(add(1, 1)), "2")
""")

VERDICTS = {"passed", "failed", "crashed", "timeout", "output_limit", "syntax_error"}
TAGS = [
    "tuple",
    "set",
    "frozenset",
    "dict",
    "counter",
    "ordereddict",
    "defaultdict",
    "namedtuple",
    "bytes",
    "float",
    "complex",
    "datetime",
    "date",
    "time",
    "timedelta",
    "decimal",
    "fraction",
    "handle",
    "callback",
    "builtin",
    "bogus",
]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.builds(
            lambda tag, v, extra: {"__t": tag, "v": v, **extra},
            st.sampled_from(TAGS),
            inner,
            st.dictionaries(
                st.sampled_from(["id", "name", "fields", "factory", "type"]), inner, max_size=3
            ),
        ),
    ),
    max_leaves=20,
)
names = st.one_of(
    st.just({"add": "function", "Box": "class", "LIMIT": "value"}),
    st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=4),
    json_values,
)
replies = st.one_of(
    st.builds(
        lambda ok, value, out, cut, extra: {
            "ok": ok,
            "value": value,
            "stdout": out,
            "stdout_truncated": cut,
            **extra,
        },
        st.booleans(),
        json_values,
        st.one_of(st.just(""), st.text(max_size=10), st.integers()),
        st.booleans(),
        st.dictionaries(
            st.sampled_from(["error", "names", "exhausted", "callback", "exit"]),
            json_values,
            max_size=2,
        ),
    ),
    st.builds(
        lambda t, m, b: {"ok": False, "error": {"type": t, "message": m, "bases": b}},
        st.one_of(
            st.sampled_from(["ValueError", "StopIteration", "SystemExit", "KeyError", "Weird"]),
            json_values,
        ),
        json_values,
        json_values,
    ),
    st.binary(max_size=40),
    st.sampled_from(
        [b"[" * 5000, b"{" * 100000, b"\n" * 1000, b"x" * 300000, b'{"id": 1e999999}', b"1" * 5000]
    ),
)


class FakeAgent:
    """Answers the ping properly, then each request with the next scripted reply."""

    def __init__(self, script: list, id_mode: list[int]) -> None:
        self.script = list(script)
        self.id_mode = list(id_mode)
        self.out = bytearray()

    def settimeout(self, value: float | None) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        for line in data.splitlines():
            request = json.loads(line)
            if request.get("op") == "ping":
                self._frame(json.dumps({"id": request["id"], "ok": True}).encode() + b"\n")
                continue
            if (
                request.get("op") == "load"
                and self.script
                and self.id_mode
                and self.id_mode[0] == 2
            ):
                self.id_mode.pop(0)
                table = self.script.pop(0)
                if isinstance(table, bytes):
                    self._frame(table + b"\n")
                else:
                    body = {"id": request["id"], "ok": True, "names": table}
                    self._frame(json.dumps(body).encode() + b"\n")
                continue
            if not self.script:
                return
            reply = self.script.pop(0)
            mode = self.id_mode.pop(0) if self.id_mode else 0
            if isinstance(reply, dict):
                if mode != 1:
                    reply = {**reply, "id": request.get("id")}
                try:
                    raw = json.dumps(reply).encode()
                except ValueError:
                    raw = b"null"
                self._frame(raw + b"\n")
            elif isinstance(reply, bytes):
                self._frame(reply + b"\n")
            else:
                self._frame(json.dumps(reply).encode() + b"\n")

    def _frame(self, payload: bytes) -> None:
        self.out += struct.pack(">BxxxI", 1, len(payload)) + payload

    def recv(self, n: int) -> bytes:
        data, self.out = bytes(self.out[:n]), self.out[n:]
        return data  # b"" once the script runs out: the sandbox "ended"

    def close(self) -> None:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    script=st.lists(st.one_of(replies, names), min_size=1, max_size=12),
    id_mode=st.lists(st.integers(0, 2), max_size=12),
)
def test_runner_always_ends_with_a_verdict(tmp_path_factory, script, id_mode) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "tests_hidden.py").write_text(TESTS)
    job = Job(
        container_id="fake",
        docker_socket="",
        kind="function",
        source="x = 1",
        tests=[{"path": str(folder / "tests_hidden.py"), "visibility": "hidden"}],
        time_limit_seconds=5,
        max_output_bytes=4096,
        test_dir=str(folder),
    )
    started = time.monotonic()
    result = grade(job, sock=FakeAgent(script, id_mode))  # type: ignore[arg-type]
    assert result["verdict"] in VERDICTS
    assert result["total"] == 3
    assert 0 <= result["passed"] <= 3
    assert time.monotonic() - started <= job.time_limit_seconds + 1


def test_fuzz_tests_folder_is_real(tmp_path: Path) -> None:
    """The fake's happy path grades: the fuzz above exercises the real runner."""
    replies = [
        {"add": "function", "Box": "class", "LIMIT": "value"},
        {"ok": True, "value": 10},
        {"ok": True, "value": 3},
    ]  # LIMIT, then add(1, 2)
    (tmp_path / "tests_hidden.py").write_text(TESTS)
    job = Job(
        container_id="fake",
        docker_socket="",
        kind="function",
        source="x = 1",
        tests=[{"path": str(tmp_path / "tests_hidden.py"), "visibility": "hidden"}],
        time_limit_seconds=5,
        max_output_bytes=4096,
    )
    result = grade(job, sock=FakeAgent(replies, [2, 0, 0]))  # type: ignore[arg-type]
    assert result["tests"][0] == {
        "name": "test_add",
        "status": "pass",
        "visibility": "hidden",
        "message": "",
    }
