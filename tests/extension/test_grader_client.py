"""GraderClient error mapping, against small in-process HTTP servers."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
import tornado.httpserver
import tornado.testing
import tornado.web

from extension.grader_client import GraderClient, GraderError


def serve(status: int, body: bytes, headers: dict[str, str] | None = None) -> Callable:
    class Handler(tornado.web.RequestHandler):
        def get(self, _path: str) -> None:
            self.set_status(status)
            for name, value in (headers or {}).items():
                self.set_header(name, value)
            self.finish(body)

    return Handler


@pytest.fixture
def grader_answering():
    """Factory: start a server answering every GET the same way; returns its base URL."""
    servers: list[tornado.httpserver.HTTPServer] = []

    def start(status: int, body: bytes, headers: dict[str, str] | None = None) -> str:
        sock, port = tornado.testing.bind_unused_port()
        app = tornado.web.Application([(r"/(.*)", serve(status, body, headers))])
        server = tornado.httpserver.HTTPServer(app)
        server.add_socket(sock)
        servers.append(server)
        return f"http://127.0.0.1:{port}/services/grader/"

    yield start
    for server in servers:
        server.stop()


async def test_token_rejected_becomes_502_naming_the_scope(grader_answering) -> None:
    url = grader_answering(403, b'{"message": "missing scope"}')
    with pytest.raises(GraderError) as err:
        await GraderClient(url, "tok").get_progress()
    assert err.value.status_code == 502
    assert "missing scope" in err.value.message
    assert "access:services!service=grader" in err.value.message


async def test_error_without_json_message_still_says_what_happened(grader_answering) -> None:
    url = grader_answering(404, b"<html>no such service</html>")
    with pytest.raises(GraderError) as err:
        await GraderClient(url, "tok").list_problems()
    assert (err.value.status_code, err.value.message) == (
        404,
        "The grading service answered 404 Not Found.",
    )


async def test_non_json_success_is_502(grader_answering) -> None:
    url = grader_answering(200, b"<html>login page</html>")
    with pytest.raises(GraderError) as err:
        await GraderClient(url, "tok").list_problems()
    assert err.value.status_code == 502
    assert "not JSON" in err.value.message


async def test_timeout_is_502_unreachable() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections but never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    try:
        with pytest.raises(GraderError) as err:
            await GraderClient(url, "tok", timeout_seconds=0.2).get_progress()
    finally:
        listener.close()
    assert err.value.status_code == 502
    assert f"grading service at {url} is unreachable" in err.value.message


async def test_unconfigured_grader_is_503_naming_the_setting() -> None:
    with pytest.raises(GraderError) as err:
        await GraderClient("", "tok").list_problems()
    assert err.value.status_code == 503
    assert "CODERUNNER_GRADER_URL" in err.value.message


def test_token_never_in_repr() -> None:
    assert "secret-token" not in repr(GraderClient("http://g/", "secret-token"))
