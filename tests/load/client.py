"""HTTP for the simulated learners: a browser-like session (cookies, XSRF, page loads and
API fetches) or a script with a hub token, every answer written to the recorder, and
``Retry-After`` honoured the way the front end honours it (``labextension/src/backoff.ts``,
``follow.ts``)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from .report import Recorder

LOOPBACK = {"127.0.0.1", "::1", "localhost"}

# The front end's waits: a busy answer without Retry-After waits this long (backoff.ts:
# DEFAULT_RETRY_SECONDS for reloads and submissions, follow.ts: 5 s while following).
DEFAULT_RETRY_SECONDS = 10.0
FOLLOW_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 3600.0

XSRF_FIELD = re.compile(r'name="_xsrf"\s+value="([^"]+)"')


def require_loopback(url: str) -> None:
    """The load test only ever talks to this machine."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"refusing to load a non-loopback address: {url}")


@dataclass
class Reply:
    status: int  # 0: no answer (connection error or timeout)
    body: Any
    headers: dict[str, str]
    url: str
    seconds: float
    reason: str | None = None  # refusal reason of a 429 / 503

    @property
    def busy(self) -> bool:
        return self.status in (429, 503)

    def retry_after(self, fallback: float = DEFAULT_RETRY_SECONDS) -> float:
        """The server's wait, at least 1 s, at most an hour (``busyRetrySeconds``)."""
        raw = self.headers.get("Retry-After")
        try:
            seconds = float(raw) if raw is not None else fallback
        except ValueError:
            seconds = fallback
        return min(MAX_RETRY_SECONDS, max(1.0, float(int(seconds + 0.999))))


class Http:
    """One simulated browser (``cookies=True``) or script (``token``): its own session,
    so its own cookies and connections."""

    def __init__(
        self,
        rec: Recorder,
        base_url: str,
        *,
        token: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout_seconds: float = 60.0,
    ) -> None:
        require_loopback(base_url)
        self.rec = rec
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._own_session = session is None
        self.session = session or aiohttp.ClientSession(
            # unsafe: keep cookies of an IP-address host (127.0.0.1), as a browser does
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=self.timeout,
        )

    async def close(self) -> None:
        if self._own_session:
            await self.session.close()

    def xsrf(self, path: str) -> str | None:
        """The ``_xsrf`` cookie the browser would send to ``path`` (hub or server)."""
        cookie = self.session.cookie_jar.filter_cookies(URL(self.base_url + path)).get("_xsrf")
        return cookie.value if cookie else None

    def headers(self, path: str, *, navigate: bool) -> dict[str, str]:
        if navigate:  # a page load: what a browser sends for a navigation
            return {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin"}
        headers = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        else:
            xsrf = self.xsrf(path)
            if xsrf:
                headers["X-XSRFToken"] = xsrf
        return headers

    async def call(
        self,
        phase: str,
        route: str,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        navigate: bool = False,
        timeout_seconds: float | None = None,
    ) -> Reply:
        """One request (redirects followed), recorded under ``phase`` / ``route``."""
        url = self.base_url + path
        headers = self.headers(path, navigate=navigate)
        started = time.monotonic()
        try:
            async with self.session.request(
                method,
                url,
                json=json_body,
                data=form,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_seconds)
                if timeout_seconds
                else self.timeout,
            ) as resp:
                text = await resp.text()
                status, final = resp.status, str(resp.url)
                answer_headers = {k: v for k, v in resp.headers.items()}
        except (TimeoutError, aiohttp.ClientError) as exc:
            seconds = time.monotonic() - started
            self.rec.call(phase, route, 0, seconds, None, None)
            self.rec.phase(phase).no_answer[f"{route}: {type(exc).__name__}: {exc}"[:200]] += 1
            return Reply(0, {"message": f"{type(exc).__name__}: {exc}"}, {}, url, seconds)
        seconds = time.monotonic() - started
        body: Any = text
        if "json" in answer_headers.get("Content-Type", "") or text[:1] in ("{", "["):
            try:
                body = json.loads(text)
            except ValueError:
                body = text
        reason = self.rec.call(
            phase, route, status, seconds, answer_headers.get("Retry-After"), body
        )
        return Reply(status, body, answer_headers, final, seconds, reason)

    async def get_with_retry(self, phase: str, route: str, path: str) -> Reply:
        """A panel reload: after a busy answer, asked once more after Retry-After
        (``ReloadQueue`` in backoff.ts)."""
        reply = await self.call(phase, route, "GET", path)
        if reply.busy:
            await asyncio.sleep(reply.retry_after())
            reply = await self.call(phase, route, "GET", path)
        return reply
