"""Security headers on every answer of the grading service (edge/headers.py), in-process
with the real Redis and MongoDB-protocol server."""

from __future__ import annotations

import pytest

from grading_service.edge.headers import SECURITY_HEADERS, content_security_policy

from ..api import call


@pytest.mark.parametrize(
    ("method", "path", "token", "status"),
    [
        ("GET", "/health", None, 200),
        ("GET", "/api/problems", "alice-token", 200),
        ("GET", "/api/problems/nope", "alice-token", 404),
        ("GET", "/api/progress", "stolen-token", 401),
        ("POST", "/api/submissions", "alice-token", 400),
    ],
)
async def test_every_answer_carries_the_security_headers_and_no_server_banner(
    service, method, path, token, status
) -> None:
    code, _, headers = await call(service, method, path, {} if method == "POST" else None, token)
    assert code == status
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    assert "Server" not in headers


async def test_the_metrics_page_carries_them_too(service) -> None:
    from tornado.httpclient import AsyncHTTPClient

    response = await AsyncHTTPClient().fetch(f"{service.base}/metrics")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in response.headers


def test_a_page_runs_only_its_own_script() -> None:
    policy = dict(part.split(" ", 1) for part in content_security_policy("abc").split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'nonce-abc'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
