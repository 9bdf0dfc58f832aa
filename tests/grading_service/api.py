"""Talking to an in-process grading service (``make_service``) over HTTP, as its
clients do; ``<name>-token`` is the hub token of user ``<name>`` (see ``fake_hub``)."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.httputil import HTTPHeaders

GOOD_ADD = "def add(a, b):\n    return a + b\n"
WRONG_ADD = "def add(a, b):\n    return a * b\n"


async def call(
    app,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = "alice-token",
    raw: bytes | None = None,
) -> tuple[int, Any, HTTPHeaders]:
    """(status, JSON body or None, headers) of one request; errors are answers too."""
    headers = {"Authorization": f"token {token}"} if token else {}
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    try:
        resp = await AsyncHTTPClient().fetch(
            f"{app.base}{path}", method=method, headers=headers, body=data
        )
    except HTTPClientError as exc:
        resp = exc.response
    return resp.code, json.loads(resp.body) if resp.body else None, resp.headers
