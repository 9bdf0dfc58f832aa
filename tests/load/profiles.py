"""The simulated learners and what they do.

A ``Learner`` is a person in a browser: signs in through the hub's login form, waits for
their server (the hub's progress stream, as the spawn page does), loads JupyterLab, and
uses the Problems panel through their own server's extension. An ``ApiLearner`` is the
same person's API traffic without a server: the grading service's API with a hub token.
Both follow a submission with short long polls and wait out every 429 / 503 for as long
as its ``Retry-After`` says, as the front end does.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from .client import FOLLOW_RETRY_SECONDS, XSRF_FIELD, Http, Reply
from .report import Recorder, Submission

FINAL_STATUSES = ("graded", "failed")
# The front end's long poll (follow.ts LONG_POLL_SECONDS) and its pause after a quick
# answer that is not final.
LONG_POLL_SECONDS = 3
POLL_INTERVAL_SECONDS = 1.0
# A learner presses Submit again after a busy answer's countdown, a few times at most.
SUBMIT_TRIES = 4


@dataclass(frozen=True)
class Problem:
    id: str
    kind: str
    right: str  # the reference solution
    wrong: str  # the starter: what a learner has before writing anything


def catalogue(content_dir: Path) -> list[Problem]:
    """The problems of every track's first level (open to everybody), with their
    reference solution and starter."""
    problems = []
    for meta in sorted(content_dir.glob("*/level-1/*/problem.json")):
        folder = meta.parent
        data = json.loads(meta.read_text())
        problems.append(
            Problem(
                data["id"],
                data.get("kind", "function"),
                (folder / "solution.py").read_text(),
                (folder / "starter.py").read_text(),
            )
        )
    if not problems:
        raise SystemExit(f"no level-1 problems under {content_dir}")
    return problems


@dataclass
class Pace:
    """How fast a learner works: seconds of thinking between steps (uniform in
    ``think``, divided by ``intensity``), and how often a first try is wrong."""

    think: tuple[float, float] = (8.0, 16.0)
    intensity: float = 1.0
    wrong_first: float = 0.5

    def pause(self, rng: random.Random) -> float:
        return rng.uniform(*self.think) / self.intensity


class Actor:
    """What both kinds of learner share: choosing problems, submitting with retries,
    following a submission to its verdict."""

    route_kind = ""

    def __init__(
        self, rec: Recorder, http: Http, name: str, problems: list[Problem], seed: int
    ) -> None:
        self.rec = rec
        self.http = http
        self.name = name
        self.problems = problems
        self.rng = random.Random(seed)
        self.solved: set[str] = set()
        self.tried_wrong: set[str] = set()

    def choose(self, pace: Pace) -> tuple[Problem, str]:
        """The next problem and whether this try is right or wrong: a problem not solved
        yet; a first try is wrong with ``pace.wrong_first``, the next one right."""
        todo = [p for p in self.problems if p.id not in self.solved] or self.problems
        problem = self.rng.choice(todo)
        if problem.id in self.tried_wrong or self.rng.random() >= pace.wrong_first:
            return problem, "right"
        return problem, "wrong"

    async def submit(
        self,
        phase: str,
        problem: Problem,
        expected: str,
        send: Callable[[], Awaitable[Reply]],
        deadline: float,
        phase_started: float,
    ) -> tuple[Submission, float] | None:
        """Submit, pressing again after each busy answer's Retry-After (while the phase
        lasts). The accepted submission and when its request was sent, or None."""
        p = self.rec.phase(phase)
        for _ in range(SUBMIT_TRIES):
            p.submit_attempts += 1
            sent = time.monotonic()
            reply = await send()
            if reply.status == 202 and isinstance(reply.body, dict) and "id" in reply.body:
                duplicate = bool(reply.body.get("duplicate"))
                p.submit_outcomes["duplicate" if duplicate else "accepted"] += 1
                sub = self.rec.accepted(
                    Submission(
                        id=str(reply.body["id"]),
                        user=self.name,
                        problem_id=problem.id,
                        expected=expected,
                        phase=phase,
                        route=self.route_kind,
                        accepted_after_seconds=round(time.monotonic() - phase_started, 2),
                        duplicate=duplicate,
                    )
                )
                return sub, sent
            if not reply.busy:
                p.submit_outcomes[f"refused {reply.status}"] += 1
                return None
            wait = reply.retry_after()
            if time.monotonic() + wait > deadline:
                p.submit_outcomes[f"gave up after {reply.reason}"] += 1
                return None
            await asyncio.sleep(wait)
        p.submit_outcomes["gave up after retries"] += 1
        return None

    async def follow(
        self,
        sub: Submission,
        sent: float,
        get: Callable[[], Awaitable[Reply]],
        drain_deadline: float,
    ) -> None:
        """Long-poll until the verdict (``SubmissionFollower``): at once again after a
        held answer, after a second after a quick one, after Retry-After when busy."""
        while time.monotonic() < drain_deadline:
            asked = time.monotonic()
            reply = await get()
            if reply.status == 200 and isinstance(reply.body, dict):
                if reply.body.get("status") in FINAL_STATUSES:
                    if sub.verdict is None:
                        sub.verdict = reply.body.get("verdict")
                        sub.score = reply.body.get("score")
                        sub.max_score = reply.body.get("max_score")
                        sub.grading_seconds = round(time.monotonic() - sent, 3)
                    if sub.verdict == "passed":
                        self.solved.add(sub.problem_id)
                    elif sub.expected == "wrong":
                        self.tried_wrong.add(sub.problem_id)
                    return
                if time.monotonic() - asked < 1.0:
                    await asyncio.sleep(POLL_INTERVAL_SECONDS)
                continue
            if reply.busy:
                await asyncio.sleep(reply.retry_after(FOLLOW_RETRY_SECONDS))
                continue
            if reply.status == 0 or reply.status >= 500:
                await asyncio.sleep(2.0)  # no answer, or a gateway error: ask again
                continue
            sub.follow_error = f"{reply.status}: {str(reply.body)[:200]}"
            return
        sub.follow_error = sub.follow_error or "no verdict before the drain deadline"


class Learner(Actor):
    """A learner in a browser, through the hub and their own server."""

    route_kind = "extension"

    def __init__(self, rec: Recorder, base_url: str, name: str, password: str, **kw: Any):
        super().__init__(rec, Http(rec, base_url), name, **kw)
        self.password = password
        self.ready = False
        self.server = f"/user/{name}"
        self.ext = f"/user/{name}/coderunner/api/"
        self.paths: dict[str, str] = {}

    async def close(self) -> None:
        await self.http.close()

    # ------------------------------------------------------------------ arriving
    async def arrive(self, phase: str, spawn_timeout: float) -> None:
        """Sign in with the login form; the hub starts the server; wait on the hub's
        progress stream; load JupyterLab (the server's OAuth round trip)."""
        record: dict[str, Any] = {"user": self.name, "ok": False}
        self.rec.phase(phase).spawns.append(record)
        start = time.monotonic()
        try:
            page = await self.http.call(
                phase, "hub GET /hub/login", "GET", "/hub/login", navigate=True
            )
            match = XSRF_FIELD.search(page.body if isinstance(page.body, str) else "")
            if page.status != 200 or not match:
                raise RuntimeError(f"login page: {page.status}")
            sent = time.monotonic()
            landed = await self.http.call(
                phase,
                "hub POST /hub/login (→ /hub/spawn)",
                "POST",
                "/hub/login?next=",
                form={"username": self.name, "password": self.password, "_xsrf": match.group(1)},
                navigate=True,
                timeout_seconds=spawn_timeout,
            )
            while landed.status == 429:  # the hub's concurrent_spawn_limit: try again then
                wait = landed.retry_after()
                if time.monotonic() + wait - start > spawn_timeout:
                    raise RuntimeError(f"the hub refused to spawn (429) for {spawn_timeout:g} s")
                await asyncio.sleep(wait)
                landed = await self.http.call(
                    phase,
                    "hub GET /hub/spawn (after a 429)",
                    "GET",
                    "/hub/spawn",
                    navigate=True,
                    timeout_seconds=spawn_timeout,
                )
            if landed.status != 200:
                raise RuntimeError(f"login: {landed.status} at {landed.url}")
            if f"{self.server}/" not in landed.url:  # not ready within the hub's 10 s
                await self.wait_ready(phase, spawn_timeout - (time.monotonic() - start))
            ready = time.monotonic()
            lab = await self.http.call(
                phase,
                "GET /user/<name>/lab (OAuth → page)",
                "GET",
                f"{self.server}/lab",
                navigate=True,
            )
            if lab.status != 200 or f"{self.server}/lab" not in lab.url:
                raise RuntimeError(f"JupyterLab page: {lab.status} at {lab.url}")
            record.update(
                ok=True,
                spawn_seconds=round(ready - sent, 3),
                lab_seconds=round(time.monotonic() - start, 3),
            )
            self.ready = True
        except Exception as exc:  # noqa: BLE001 - a failed spawn is a result, not a crash
            record["error"] = f"{type(exc).__name__}: {exc}"[:300]

    async def wait_ready(self, phase: str, seconds: float) -> None:
        """The spawn page's EventSource on ``/hub/api/users/<name>/server/progress``."""
        path = f"/hub/api/users/{self.name}/server/progress"
        started = time.monotonic()
        headers = self.http.headers(path, navigate=False)
        headers["Accept"] = "text/event-stream"
        status = 0
        try:
            async with self.http.session.get(
                self.http.base_url + path,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=max(seconds, 1)),
            ) as resp:
                status = resp.status
                if status != 200:
                    raise RuntimeError(f"progress stream: {status}")
                async for raw in resp.content:
                    line = raw.decode(errors="replace").strip()
                    if not line.startswith("data:"):
                        continue
                    event = json.loads(line[5:])
                    if event.get("ready"):
                        return
                    if event.get("failed"):
                        raise RuntimeError(f"spawn failed: {event.get('message')}")
            raise RuntimeError("progress stream ended before the server was ready")
        finally:
            self.rec.call(
                phase,
                "hub progress stream (spawn → ready)",
                status,
                time.monotonic() - started,
                None,
                None,
            )

    # ------------------------------------------------------------------ working
    async def panel(self, phase: str) -> None:
        """What JupyterLab loads for the Problems panel on a first visit."""
        privacy = await self.http.get_with_retry(phase, "ext GET privacy", self.ext + "privacy")
        version = privacy.body.get("version") if isinstance(privacy.body, dict) else None
        if version and not privacy.body.get("accepted_at"):
            await self.http.call(
                phase,
                "ext POST privacy",
                "POST",
                self.ext + "privacy",
                json_body={"version": version},
            )
        for what in ("me", "problems", "tracks", "progress", "space"):
            await self.http.get_with_retry(phase, f"ext GET {what}", self.ext + what)

    async def work(
        self, phase: str, pace: Pace, until: float, drain_deadline: float, phase_started: float
    ) -> None:
        """Problems one after another until ``until``."""
        while time.monotonic() < until:
            await self.attempt(phase, pace, until, drain_deadline, phase_started)
            await asyncio.sleep(pace.pause(self.rng))

    async def attempt(
        self, phase: str, pace: Pace, until: float, drain_deadline: float, phase_started: float
    ) -> None:
        """One try at a problem: open it, write the code, check it, think, submit, follow
        the result, reload progress."""
        problem, expected = self.choose(pace)
        path = await self.open(phase, problem)
        if path is None:
            return
        code = problem.right if expected == "right" else problem.wrong
        await self.http.call(
            phase,
            "PUT /user/<name>/api/contents/<file>",
            "PUT",
            f"{self.server}/api/contents/{quote(path)}",
            json_body={"type": "file", "format": "text", "content": code},
        )
        await self.http.call(
            phase,
            "ext POST problems/<id>/check",
            "POST",
            f"{self.ext}problems/{problem.id}/check",
            json_body={"path": path},
        )
        await asyncio.sleep(pace.pause(self.rng))
        if time.monotonic() >= until:
            return
        accepted = await self.submit(
            phase,
            problem,
            expected,
            lambda: self.http.call(
                phase,
                "ext POST submissions",
                "POST",
                self.ext + "submissions",
                json_body={"problem_id": problem.id, "path": path},
            ),
            until,
            phase_started,
        )
        if accepted is None:
            return
        sub, sent = accepted
        await self.follow(
            sub,
            sent,
            lambda: self.http.call(
                phase,
                "ext GET submissions/<id>?wait=3",
                "GET",
                f"{self.ext}submissions/{sub.id}?wait={LONG_POLL_SECONDS}",
            ),
            drain_deadline,
        )
        await self.http.get_with_retry(phase, "ext GET progress", self.ext + "progress")

    async def open(self, phase: str, problem: Problem) -> str | None:
        """Open the problem as a ``.py`` file (the first time it is created)."""
        reply = await self.http.call(
            phase,
            "ext POST problems/<id>/open",
            "POST",
            f"{self.ext}problems/{problem.id}/open",
            json_body={"format": "script"},
        )
        if reply.status in (200, 201) and isinstance(reply.body, dict):
            self.paths[problem.id] = str(reply.body["path"])
        return self.paths.get(problem.id)

    async def progress(self, phase: str) -> Reply:
        return await self.http.get_with_retry(phase, "ext GET progress", self.ext + "progress")


class ApiLearner(Actor):
    """A learner's API traffic without a server: the grading service behind the proxy,
    with a hub token minted for them."""

    route_kind = "grader"

    def __init__(self, rec: Recorder, http: Http, name: str, **kw: Any) -> None:
        super().__init__(rec, http, name, **kw)
        self.api = "/services/grader/api/"

    def with_token(self, token: str) -> ApiLearner:
        self.http = Http(self.rec, self.http.base_url, token=token, session=self.http.session)
        return self

    async def panel(self, phase: str) -> None:
        for what in ("problems", "tracks", "progress", "me"):
            await self.http.get_with_retry(phase, f"grader GET {what}", self.api + what)

    async def one(
        self,
        phase: str,
        pace: Pace,
        until: float,
        drain_deadline: float,
        phase_started: float,
    ) -> None:
        """One submission followed to its verdict, then progress."""
        problem, expected = self.choose(pace)
        code = problem.right if expected == "right" else problem.wrong
        accepted = await self.submit(
            phase,
            problem,
            expected,
            lambda: self.http.call(
                phase,
                "grader POST submissions",
                "POST",
                self.api + "submissions",
                json_body={"problem_id": problem.id, "code": code},
            ),
            until,
            phase_started,
        )
        if accepted is None:
            return
        sub, sent = accepted
        await self.follow(
            sub,
            sent,
            lambda: self.http.call(
                phase,
                "grader GET submissions/<id>?wait=3",
                "GET",
                f"{self.api}submissions/{sub.id}?wait={LONG_POLL_SECONDS}",
            ),
            drain_deadline,
        )
        await self.http.get_with_retry(phase, "grader GET progress", self.api + "progress")

    async def progress(self, phase: str) -> Reply:
        return await self.http.get_with_retry(phase, "grader GET progress", self.api + "progress")
