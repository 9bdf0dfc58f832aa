"""Grading through a running grading service (``--url`` and ``--token``).

Each file is one submission, made as any client makes it: ``POST <url>/api/submissions``
with ``{"problem_id", "code"}`` and ``Authorization: Bearer <jwt>`` (a token from
``coderunner token --subject NAME --role grader``), then long polls of
``GET <url>/api/submissions/<id>?wait=10`` until the verdict is stored. The service
decides the lane (grader tokens use the priority lane), the limits and the sandboxes;
notebooks are turned into code here with the service's own function, so a broken one is
a row without a request.

What the service answers, and what it becomes:

- ``429`` / ``503``: wait ``Retry-After`` seconds (5 when absent) and ask again, for as
  long as each wait is at most ``max_retry_after_seconds``; a longer one (a daily quota)
  stops the run: raise the grader account's limits (``Admission.group_limits``);
- ``401`` / ``403``: the token is refused: the run stops (``Refused``);
- other ``4xx`` on submitting (``400``, ``413``): the file's row, verdict ``invalid``,
  with the service's message;
- ``5xx``, no connection, no verdict within ``timeout_seconds``, or a final
  ``internal_error``: ``Unavailable`` (the run loop retries the file, then stops).

The service does not tell clients which image graded a submission, so rows from this
mode leave ``image`` empty.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..records import FINAL_STATUSES
from .backend import Refused, Unavailable
from .results import Outcome

DEFAULT_RETRY_AFTER_SECONDS = 5.0


class RemoteBackend:
    """Grades through a grading service's API (see the module docstring)."""

    mode = "remote"

    def __init__(
        self,
        url: str,
        token: str,
        problem_id: str,
        *,
        jobs: int = 2,
        poll_seconds: float = 10.0,
        timeout_seconds: float = 900.0,
        max_retry_after_seconds: float = 900.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.base = url.rstrip("/")
        self.token = token
        self.problem_id = problem_id
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self.max_retry_after_seconds = max_retry_after_seconds
        self.sleep = sleep
        self.max_score = 0.0
        self.http = AsyncHTTPClient(force_instance=True, max_clients=max(10, 2 * jobs + 2))

    async def start(self) -> None:
        """Check the URL, the token and the problem with one request."""
        try:
            status, body = await self._call(
                "GET", f"/api/problems/{quote(self.problem_id, safe='')}"
            )
        except Unavailable as exc:
            raise Refused(f"cannot reach the grading service at {self.base}: {exc}") from None
        if status == 404:
            raise Refused(f"the grading service has no problem {self.problem_id!r}")
        if status != 200:
            raise Refused(f"the grading service answered {status}: {_message(body)}")
        self.max_score = float(body.get("points", 0))

    async def grade(self, code: str) -> Outcome:
        deadline = time.monotonic() + self.timeout_seconds
        status, body = await self._call(
            "POST", "/api/submissions", {"problem_id": self.problem_id, "code": code}
        )
        if status == 404:
            raise Refused(f"the grading service has no problem {self.problem_id!r}")
        if 400 <= status < 500:
            return _rejected(f"The grading service refused the file: {_message(body)}", self)
        if status != 202 or not isinstance(body.get("id"), str):
            raise Unavailable(f"submitting answered {status}: {_message(body)}")
        submission_id = body["id"]
        path = f"/api/submissions/{quote(submission_id, safe='')}?wait={self.poll_seconds:g}"
        while True:
            status, doc = await self._call("GET", path, request_seconds=self.poll_seconds + 30)
            if status != 200:
                raise Unavailable(f"following submission {submission_id} answered {status}")
            if doc.get("status") in FINAL_STATUSES:
                break
            if time.monotonic() > deadline:
                raise Unavailable(f"no verdict for {submission_id} in {self.timeout_seconds:g} s")
        if doc["status"] == "failed" or doc.get("verdict") == "internal_error":
            raise Unavailable(f"the service could not grade it: {doc.get('message', '')}")
        return {
            "verdict": doc.get("verdict") or "internal_error",
            "message": doc.get("message") or "",
            "score": doc.get("score") or 0,
            "max_score": doc.get("max_score") or self.max_score,
            "passed": doc.get("passed") or 0,
            "total": doc.get("total") or 0,
            "tests": doc.get("tests") or [],
            "image": "",
            "image_id": "",
            "submission_id": submission_id,
        }

    async def close(self) -> None:
        self.http.close()

    async def _call(
        self, method: str, path: str, body: dict | None = None, request_seconds: float = 60.0
    ) -> tuple[int, dict]:
        """(status, JSON body) of one request, after waiting out 429 and 503.

        Raises ``Refused`` for a refused token and ``Unavailable`` when there is no
        answer or the wait asked for is too long.
        """
        while True:
            status, data, retry_after = await self._fetch(method, path, body, request_seconds)
            if status in (401, 403):
                raise Refused(f"the grading service refused the token: {_message(data)}")
            if status not in (429, 503):
                return status, data
            wait = retry_after if retry_after is not None else DEFAULT_RETRY_AFTER_SECONDS
            if wait > self.max_retry_after_seconds:
                raise Unavailable(
                    f"the grading service asks to wait {wait:g} s ({status}: {_message(data)})"
                )
            await self.sleep(wait)

    async def _fetch(
        self, method: str, path: str, body: dict | None, request_seconds: float
    ) -> tuple[int, dict, float | None]:
        request = HTTPRequest(
            self.base + path,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            body=json.dumps(body) if body is not None else None,
            connect_timeout=10,
            request_timeout=request_seconds,
        )
        try:
            response = await self.http.fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as exc:  # no answer at all
            raise Unavailable(f"{method} {path}: {exc}") from None
        if response.code == 599:  # tornado's "no HTTP response" (timeout, reset)
            raise Unavailable(f"{method} {path}: {response.error}")
        try:
            data = json.loads(response.body or b"{}")
        except ValueError:
            data = {"message": response.body[:200].decode("utf-8", "replace")}
        if not isinstance(data, dict):
            data = {"message": str(data)[:200]}
        return response.code, data, _seconds(response.headers.get("Retry-After"))


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _message(body: dict) -> str:
    return str(body.get("message") or body)[:500]


def _rejected(message: str, backend: RemoteBackend) -> Outcome:
    return {
        "verdict": "invalid",
        "message": message,
        "score": 0,
        "max_score": backend.max_score,
        "passed": 0,
        "total": 0,
        "tests": [],
        "image": "",
        "image_id": "",
        "submission_id": "",
    }
