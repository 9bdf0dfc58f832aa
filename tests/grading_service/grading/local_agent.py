"""Runs the sandbox call server as a local process for unit tests of the trusted runner.

It speaks the same framed stream as ``docker attach``, so ``runner.grade`` runs
unchanged. Only for unit tests: real grading always uses a container. ``grade_with``
grades one source against test code that way.
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from grading_service.grading.runner import Job, grade
from grading_service.grading.sandbox import AGENT_SOURCE


class LocalAgentSocket:
    def __init__(self, env: dict | None = None, cwd: str | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", AGENT_SOURCE],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        self.timeout: float | None = None
        self.buffer = b""

    def settimeout(self, value: float | None) -> None:
        self.timeout = value

    def sendall(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError as exc:
            raise OSError("agent gone") from exc

    def recv(self, n: int) -> bytes:
        if not self.buffer:
            fd = self.proc.stdout.fileno()
            ready, _, _ = select.select([fd], [], [], self.timeout)
            if not ready:
                raise TimeoutError
            data = os.read(fd, 65536)
            if not data:
                return b""
            self.buffer = bytes([1, 0, 0, 0]) + struct.pack(">I", len(data)) + data
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def grade_locally(**job: Any) -> dict:
    """``runner.grade`` of a ``Job`` with these fields (at most 4096 bytes of output),
    through the call server as a local process (in folder ``cwd``, with more ``env``
    variables, if given)."""
    sock = LocalAgentSocket(env=job.pop("env", None), cwd=job.pop("cwd", None))
    try:
        return grade(
            Job(container_id="local", docker_socket="", **{"max_output_bytes": 4096, **job}),
            sock=sock,  # type: ignore[arg-type]
        )
    finally:
        sock.close()


def grade_with(
    tmp_path: Path,
    tests: str,
    source: str,
    *,
    limit: float = 5.0,
    names: list[str] | None = None,
    helpers: dict[str, str] | None = None,
) -> dict:
    """The result of grading ``source`` against ``tests`` (test code, shown to the
    learner as public tests), with ``helpers`` beside them, through the call server as
    a local process."""
    (tmp_path / "tests_hidden.py").write_text(textwrap.dedent(tests))
    for name, text in (helpers or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return grade_locally(
        kind="function",
        source=textwrap.dedent(source),
        tests=[{"path": str(tmp_path / "tests_hidden.py"), "visibility": "public"}],
        time_limit_seconds=limit,
        solution_names=names or [],
        test_dir=str(tmp_path),
    )


def statuses(result: dict) -> dict[str, str]:
    """Each test's name and status."""
    return {t["name"]: t["status"] for t in result["tests"]}
