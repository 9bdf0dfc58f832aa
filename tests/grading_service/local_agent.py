"""Runs the sandbox call server as a local process for unit tests of the trusted runner.

It speaks the same framed stream as ``docker attach``, so ``runner.grade`` runs
unchanged. Only for unit tests: real grading always uses a container.
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys

from grading_service.grading.sandbox import AGENT_SOURCE


class LocalAgentSocket:
    def __init__(self, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", AGENT_SOURCE],
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
