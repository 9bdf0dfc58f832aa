"""Async client for the grading service's learner API.

The extension is a thin forwarder: it authenticates as the learner with the learner
server's hub token and passes the grader's answers (and its errors) through unchanged, so
the grader stays the only place that decides anything.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.web import HTTPError

log = logging.getLogger(__name__)

#: Grader statuses that mean "this server is not allowed to call the grader", not "the
#: learner is not logged in": the learner is authenticated to their own server already.
_TOKEN_REJECTED = (401, 403)


class GraderError(HTTPError):
    """An error to hand to the learner's client with ``status`` and ``message``.

    Subclassing tornado's ``HTTPError`` lets a handler simply let it propagate; the
    handler's ``write_error`` turns it into ``{"message": ...}`` and restores
    ``retry_after`` as a ``Retry-After`` header (tornado clears headers before
    ``write_error``, so it cannot be set earlier).
    """

    def __init__(
        self,
        status: int,
        message: str,
        retry_after: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        # "%s" keeps a "%" inside the grader's message from breaking tornado's log formatting.
        super().__init__(status, "%s", message)
        self.message = message
        self.retry_after = retry_after
        # More fields for the client, e.g. a locked level's ``unlock`` rule.
        self.extra = extra or {}


@dataclass(frozen=True)
class GraderReply:
    """A successful grader answer: its status (200, 202, ...) and decoded JSON body."""

    status: int
    body: Any


class GraderClient:
    """Calls ``<base_url>api/...`` on the grading service as the learner."""

    def __init__(self, base_url: str, token: str, timeout_seconds: float = 20.0) -> None:
        self.base_url = base_url if not base_url or base_url.endswith("/") else base_url + "/"
        self._token = token
        self.timeout_seconds = timeout_seconds

    def __repr__(self) -> str:  # keeps the token out of any log line that prints the client
        return f"GraderClient(base_url={self.base_url!r})"

    async def list_problems(self) -> GraderReply:
        return await self._request("GET", "problems")

    async def list_tracks(self) -> GraderReply:
        return await self._request("GET", "tracks")

    async def get_problem(self, problem_id: str) -> GraderReply:
        return await self._request("GET", f"problems/{quote(problem_id, safe='')}")

    async def submit(self, payload: dict[str, Any]) -> GraderReply:
        return await self._request("POST", "submissions", payload)

    async def list_submissions(self, query: dict[str, str]) -> GraderReply:
        """The learner's own submissions (``problem_id``, ``limit``, ``before``)."""
        return await self._request(
            "GET", "submissions?" + urlencode(query) if query else "submissions"
        )

    async def get_hints(self, problem_id: str) -> GraderReply:
        return await self._request("GET", f"problems/{quote(problem_id, safe='')}/hints")

    async def reveal_hint(self, problem_id: str) -> GraderReply:
        return await self._request("POST", f"problems/{quote(problem_id, safe='')}/hints", {})

    async def get_checks(self, problem_id: str) -> GraderReply:
        """The problem's public tests and data files, for a practice check."""
        return await self._request("GET", f"problems/{quote(problem_id, safe='')}/checks")

    async def list_cheatsheets(self) -> GraderReply:
        return await self._request("GET", "cheatsheets")

    async def get_cheatsheet(self, sheet_id: str) -> GraderReply:
        return await self._request("GET", f"cheatsheets/{quote(sheet_id, safe='')}")

    async def get_submission(self, submission_id: str, wait_seconds: float = 0) -> GraderReply:
        path = f"submissions/{quote(submission_id, safe='')}"
        if wait_seconds > 0:  # long polling; stays under this client's own timeout
            wait_seconds = min(wait_seconds, max(self.timeout_seconds - 5, 1))
            path += f"?wait={wait_seconds:g}"
        return await self._request("GET", path)

    async def get_progress(self) -> GraderReply:
        return await self._request("GET", "progress")

    async def list_assessments(self) -> GraderReply:
        return await self._request("GET", "assessments")

    async def get_leaderboard(self) -> GraderReply:
        return await self._request("GET", "leaderboard")

    async def get_me(self) -> GraderReply:
        return await self._request("GET", "me")

    async def get_privacy(self) -> GraderReply:
        return await self._request("GET", "privacy")

    async def accept_privacy(self, version: str) -> GraderReply:
        return await self._request("POST", "privacy", {"version": version})

    async def get_asset(self, problem_id: str, name: str) -> tuple[bytes, str]:
        """A statement image: (bytes, content type)."""
        response = await self._fetch(
            "GET", f"problems/{quote(problem_id, safe='')}/assets/{quote(name, safe='')}"
        )
        return response.body, response.headers.get("Content-Type", "application/octet-stream")

    async def _request(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> GraderReply:
        response = await self._fetch(method, path, payload)
        return GraderReply(response.code, self._decode(response))

    async def _fetch(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> HTTPResponse:
        if not self.base_url:
            raise GraderError(
                503,
                "The grading service is not configured: set CODERUNNER_GRADER_URL "
                "(or c.CodeRunnerConfig.grader_url) for this Jupyter server.",
            )
        url = f"{self.base_url}api/{path}"
        headers = {"Accept": "application/json", "Authorization": f"token {self._token}"}
        body = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload)
        request = HTTPRequest(
            url,
            method=method,
            headers=headers,
            body=body,
            connect_timeout=self.timeout_seconds,
            request_timeout=self.timeout_seconds,
        )
        log.debug("coderunner: %s %s", method, url)
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as e:
            # raise_error=False still raises for failures without an HTTP answer:
            # refused connection, DNS failure, timeout (599), closed stream.
            log.warning("coderunner: grading service at %s unreachable: %s", self.base_url, e)
            raise GraderError(
                502,
                f"The grading service at {self.base_url} is unreachable ({e}). Check that the "
                "grading service is running and that this server can reach it "
                "(CODERUNNER_GRADER_URL, the hub's services list, the container network).",
            ) from e
        if response.code == 599:  # some clients report transport errors as a 599 response
            raise GraderError(
                502,
                f"The grading service at {self.base_url} is unreachable "
                f"({response.error}). Check that it is running and reachable from this server.",
            )
        if response.code >= 400:
            raise self._error_from(response)
        return response

    def _decode(self, response: HTTPResponse) -> Any:
        if not response.body:
            return {}
        try:
            return json.loads(response.body)
        except ValueError as e:
            raise GraderError(
                502,
                f"The grading service at {self.base_url} answered {response.code} with a body "
                "that is not JSON; check that grader_url points at the grading service.",
            ) from e

    def _error_from(self, response: HTTPResponse) -> GraderError:
        message = ""
        try:
            data = json.loads(response.body or b"")
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            message = data["message"]
        if response.code == 403 and isinstance(data, dict) and data.get("reason") == "locked":
            return GraderError(
                403, message, extra={"reason": "locked", "unlock": data.get("unlock")}
            )
        if response.code in _TOKEN_REJECTED:
            return GraderError(
                502,
                f"The grading service at {self.base_url} rejected this server's token "
                f"({response.code}{': ' + message if message else ''}). Check that "
                "c.Spawner.server_token_scopes grants access:services!service=grader.",
            )
        if not message:
            message = f"The grading service answered {response.code} {response.reason}."
        extra: dict[str, Any] = {}
        if response.code in (429, 503) and isinstance(data, dict):
            # Why the grader refused (rate_limit, requests, long_polls, backpressure...),
            # for the front end and for anyone counting refusals.
            extra = {k: data[k] for k in ("reason", "retry_after") if k in data}
        return GraderError(response.code, message, response.headers.get("Retry-After"), extra=extra)
