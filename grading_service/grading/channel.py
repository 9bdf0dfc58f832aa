"""The byte channel between the trusted runner and a sandbox's call server.

Everything that arrives here was written by a process the learner controls, so the
channel promises three things whatever it is sent: reading costs time linear in the
bytes read, memory is capped (``max_line_bytes`` for one message, ``max_total_bytes``
for the whole session), and every malformed message ends as a :class:`SandboxFault`,
which the runner turns into a ``crashed`` verdict. No other exception leaves it.

The stream is the one ``docker attach`` gives: stdin raw, and the container's output
multiplexed in frames (8-byte header: stream number, 3 zero bytes, big-endian size).
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any, Protocol
from urllib.parse import quote


class SandboxFault(Exception):
    """The sandbox stopped answering properly; grading cannot go on. A verdict."""

    verdict = "crashed"


class SandboxTimeout(SandboxFault):
    verdict = "timeout"


class SandboxOutputLimit(SandboxFault):
    verdict = "output_limit"


class SandboxUnavailable(Exception):
    """The sandbox was not answering before the learner's code ran: not their fault."""


class ByteStream(Protocol):
    """What the channel needs from a socket (a real one, or a test's stand-in)."""

    def settimeout(self, value: float | None) -> None: ...

    def sendall(self, data: bytes) -> None: ...

    def recv(self, n: int) -> bytes: ...

    def close(self) -> None: ...


def attach(docker_socket: str, container_id: str) -> ByteStream:
    """Attach to a running container's stdin/stdout through the Docker API."""
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
        return _PrefixedSocket(sock, rest)
    return sock


class _PrefixedSocket:
    def __init__(self, sock: socket.socket, prefix: bytes) -> None:
        self._sock, self._prefix = sock, prefix

    def recv(self, n: int) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix[:n], self._prefix[n:]
            return data
        return self._sock.recv(n)

    def settimeout(self, value: float | None) -> None:
        self._sock.settimeout(value)

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(data)

    def close(self) -> None:
        self._sock.close()


HEADER = struct.Struct(">BxxxI")
CHUNK = 65536


class Channel:
    """JSON messages, one per line, to and from the call server.

    Frames are parsed as bytes arrive and each byte is looked at a bounded number of
    times: the frame parser consumes it once and the line search resumes where it
    stopped, so a flood of short lines costs linear time, not quadratic.
    """

    def __init__(
        self, sock: ByteStream, deadline: float, *, max_line_bytes: int, max_total_bytes: int
    ) -> None:
        self.sock = sock
        self.deadline = deadline
        self.max_line_bytes = max_line_bytes
        self.max_total_bytes = max_total_bytes
        self.total_bytes = 0
        self._raw = bytearray()  # received, not yet parsed into frames
        self._frame_left = 0
        self._frame_stream = 0
        self._lines = bytearray()  # stdout payload, not yet split into lines
        self._scanned = 0  # no newline in self._lines[:self._scanned]

    # -- sending

    def send(self, message: dict[str, Any]) -> None:
        try:
            data = json.dumps(message, separators=(",", ":")).encode()
        except (TypeError, ValueError) as exc:  # our own encoder produced it: a bug
            raise RuntimeError(f"cannot encode a message for the sandbox: {exc}") from exc
        try:
            self.sock.sendall(data + b"\n")
        except OSError as exc:
            raise SandboxFault(f"lost the sandbox: {exc}") from None

    # -- receiving

    def _recv(self) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxTimeout("time limit exceeded")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(CHUNK)
        except TimeoutError:
            raise SandboxTimeout("time limit exceeded") from None
        except OSError as exc:
            raise SandboxFault(f"lost the sandbox: {exc}") from None
        if not data:
            raise SandboxFault("the sandbox process ended")
        self.total_bytes += len(data)
        if self.total_bytes > self.max_total_bytes:
            raise SandboxOutputLimit("output limit exceeded")
        return data

    def _parse_frames(self) -> None:
        raw = self._raw
        pos = 0
        while pos < len(raw):
            if self._frame_left == 0:
                if len(raw) - pos < HEADER.size:
                    break
                self._frame_stream, self._frame_left = HEADER.unpack_from(raw, pos)
                pos += HEADER.size
                continue
            take = min(self._frame_left, len(raw) - pos)
            if self._frame_stream == 1:
                self._lines += raw[pos : pos + take]
            self._frame_left -= take
            pos += take
        del raw[:pos]

    def read_line(self) -> bytes:
        while True:
            index = self._lines.find(b"\n", self._scanned)
            if index >= 0:
                line = bytes(self._lines[:index])
                del self._lines[: index + 1]
                self._scanned = 0
                return line
            self._scanned = len(self._lines)
            if self._scanned > self.max_line_bytes:
                raise SandboxOutputLimit("output limit exceeded")
            self._raw += self._recv()
            self._parse_frames()

    def receive(self) -> dict[str, Any]:
        """The next message: a JSON object, or a SandboxFault."""
        line = self.read_line()
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            raise SandboxFault("the sandbox answered something that is not JSON") from None
        if not isinstance(message, dict):
            raise SandboxFault("the sandbox answered something that is not a message")
        return message
