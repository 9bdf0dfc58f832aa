"""HTTP handlers of the grading API.

A submission's path reads in one direction: handler (validate) → storage (queued) →
queue → worker. Every error a user can meet is JSON ``{"message": ...}`` with the right
status; foreign or unknown ids answer 404.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError
from redis.exceptions import RedisError
from tornado import web
from tornado.http1connection import HTTP1Connection

from .. import metrics
from ..content.store import Problem
from ..monitoring import scrape
from ..progress import learner_progress
from ..records import Submission
from .access import Access
from .auth import AuthError, may_read, token_from_header
from .headers import SecurityHeaders
from .request_limits import TooManyRequests
from .submissions import SubmissionError, Submitter
from .tokens import looks_like_jwt

if TYPE_CHECKING:
    from ..app import GradingService

log = logging.getLogger("coderunner.api")


class APIError(web.HTTPError):
    def __init__(
        self, status: int, message: str, headers: dict | None = None, **extra: Any
    ) -> None:
        super().__init__(status, message)
        self.message = message
        self.headers = headers or {}
        # More fields of the JSON error body, e.g. ``reason="locked"`` and ``unlock``.
        self.extra = extra


def too_many(refusal: TooManyRequests) -> APIError:
    """A request refused by the per-user limits, as the 429 the client sees."""
    return APIError(
        429,
        refusal.message,
        {"Retry-After": str(refusal.retry_after_seconds)},
        reason=refusal.reason,
        retry_after=refusal.retry_after_seconds,
    )


# What a dependency's own exceptions mean to a client: the service is fine, a part of
# it is not reachable for now.
DEPENDENCY_FAULTS: tuple[tuple[type[Exception], str], ...] = (
    (PyMongoError, "database"),
    (RedisError, "queue"),
)


def dependency_fault(exc: BaseException | None) -> str | None:
    """Which dependency an exception says is unavailable, if any."""
    for exc_type, what in DEPENDENCY_FAULTS:
        if isinstance(exc, exc_type):
            return what
    return None


DRAINING_RETRY_AFTER_SECONDS = 2


class BaseHandler(SecurityHeaders, web.RequestHandler):
    # Answered while the service stops (GradingService.shutdown): probes and scrapes.
    serves_while_draining = False

    @property
    def service(self) -> GradingService:
        return self.settings["service"]

    def prepare(self) -> None:
        self.request_id = self.request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
        self.set_header("X-Request-Id", self.request_id)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self._started = time.monotonic()
        drain = getattr(self.service, "drain", None)
        if drain is not None and not getattr(self, "_in_flight", False):
            self._in_flight = True
            drain.started()
            if drain.draining and not self.serves_while_draining:
                # A request on a connection opened before SIGTERM: the client (or its
                # load balancer) tries again, on the new version.
                raise APIError(
                    503,
                    "The grading service is restarting; please try again in a moment.",
                    {"Retry-After": str(DRAINING_RETRY_AFTER_SECONDS)},
                    reason="restarting",
                    retry_after=DRAINING_RETRY_AFTER_SECONDS,
                )

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "message", None) or self._reason
        if type(exc) is web.HTTPError and exc.log_message and status_code < 500:
            # tornado's own refusals: text that is not UTF-8 in the URL, a broken form body
            message = exc.log_message % exc.args if exc.args else exc.log_message
        if getattr(self, "request_id", None):  # send_error cleared the headers
            self.set_header("X-Request-Id", self.request_id)
        unavailable = dependency_fault(exc)
        if isinstance(exc, APIError):
            for key, value in exc.headers.items():
                self.set_header(key, value)
        elif unavailable:
            status_code = 503
            self.set_status(503)
            self.set_header("Retry-After", "10")
            message = (
                f"The grading service cannot reach its {unavailable} right now; "
                "your work is safe, please try again shortly."
            )
        elif status_code >= 500:
            message = (
                "The grading service hit an unexpected error; it has been logged "
                "with this request's id."
            )
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(
                {
                    **(exc.extra if isinstance(exc, APIError) else {}),
                    "message": message,
                    "status": status_code,
                    "request_id": getattr(self, "request_id", None),
                },
                default=str,
            )
        )

    def log_exception(self, typ, value, tb) -> None:  # noqa: ANN001 - tornado's signature
        if isinstance(value, web.HTTPError) and value.status_code < 500:
            return
        if isinstance(value, APIError):
            # Our own refusal (busy, sandboxes away), answered with words and a
            # Retry-After: no bug, so no traceback, and one line however many there are.
            log.warning(
                "refused with %d: %s",
                value.status_code,
                value.message,
                extra={
                    "request_id": getattr(self, "request_id", None),
                    "reason": value.extra.get("reason"),
                },
            )
            return
        if dependency_fault(value):
            log.warning(
                "dependency unavailable: %s",
                value,
                extra={"request_id": getattr(self, "request_id", None)},
            )
            return
        log.error(
            "unhandled error",
            exc_info=(typ, value, tb),
            extra={"request_id": getattr(self, "request_id", None)},
        )

    def on_finish(self) -> None:
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            self.service.drain.finished()
        log.info(
            "%s %s",
            self.request.method,
            self.request.path,
            extra={
                "request_id": getattr(self, "request_id", None),
                "user": getattr(self, "user_name", None),
                "status": self.get_status(),
                "duration_ms": round((time.monotonic() - self._started) * 1000, 1)
                if hasattr(self, "_started")
                else None,
            },
        )


class AuthenticatedHandler(BaseHandler):
    async def prepare(self) -> None:  # type: ignore[override]
        super().prepare()
        try:
            model = await self.service.identity.user_for(self.request.headers.get("Authorization"))
        except AuthError as exc:
            raise APIError(exc.status, exc.message) from None
        self.user_name: str = model["name"]
        self.user_model = model
        self.access = Access.from_model(model)
        staff = self.access.is_staff or self.access.grader or model.get("kind") == "service"
        try:
            await self.service.request_limits.check(self.user_name, staff=staff)
        except TooManyRequests as refusal:
            raise too_many(refusal) from None

    async def require_reader(self, learner: str, not_found: str) -> None:
        """Raise 404 unless the caller may read ``learner``'s data (their own, or as
        the teacher of one of the learner's cohorts, or as an admin). A teacher's cohorts
        are asked of the hub, so a name outside them and an unknown name look alike."""
        try:
            allowed = await may_read(self.access, self.service.identity.hub, learner)
        except AuthError as exc:
            raise APIError(exc.status, exc.message) from None
        if not allowed:
            raise APIError(404, not_found)

    def staff_role(self) -> str | None:
        """The lane role a hub user's scopes give them: teachers and admins the priority
        lane, graders the batch lane."""
        if self.access.is_staff:
            return "teacher"
        return "grader" if self.access.grader else None

    def lock_exempt(self) -> bool:
        """Teachers, admins and graders open every level; so does everybody when the
        service runs without level locks."""
        return not self.service.level_locks or self.access.is_staff or self.access.grader

    async def solved_problems(self) -> set[str]:
        records = await self.service.storage.progress_for(self.user_name)
        return {r["problem_id"] for r in records if r.get("first_solved_at") is not None}

    async def require_open(self, problem: Problem) -> None:
        """403, with the unlock rule, when the problem's level is locked for the caller."""
        if self.lock_exempt():
            return
        state = self.service.content.lock_of(problem, await self.solved_problems())
        if state is not None:
            raise APIError(
                403,
                state.locked_message(),
                reason="locked",
                unlock={
                    "track": problem.track,
                    "level": state.previous.number if state.previous else problem.level,
                    "needed": state.level.needed(state.previous),
                    "of": len(state.previous.problem_ids) if state.previous else 0,
                    "solved": state.solved_before,
                },
            )

    async def open_problem(self, problem_id: str) -> Problem:
        """The problem, if it exists (404) and its level is open to the caller (403)."""
        problem = self.service.content.get(problem_id)
        if problem is None:
            raise APIError(404, f"No problem with id {problem_id!r}.")
        await self.require_open(problem)
        return problem

    def json_body(self) -> dict:
        try:
            body = json.loads(self.request.body or b"")
        except ValueError as exc:
            raise APIError(400, f"Request body is not valid JSON: {exc}") from None
        except RecursionError:  # the decoder's own depth limit, not a bug of ours
            raise APIError(400, "Request body is nested too deeply to be read.") from None
        if not isinstance(body, dict):
            raise APIError(400, "Request body must be a JSON object.")
        return body


class ProblemsHandler(AuthenticatedHandler):
    def get(self) -> None:
        self.write_json({"problems": self.service.content.index})


class TracksHandler(AuthenticatedHandler):
    def get(self) -> None:
        self.write_json({"tracks": self.service.content.tracks_index})


class ProblemHandler(AuthenticatedHandler):
    async def get(self, problem_id: str) -> None:
        problem = await self.open_problem(problem_id)
        self.write_json(self.service.content.problem_view(problem))


class ProblemAssetHandler(AuthenticatedHandler):
    """Images a statement shows (``assets/<name>`` in the problem folder)."""

    def get(self, problem_id: str, name: str) -> None:
        problem = self.service.content.get(problem_id)
        found = problem.asset(name) if problem else None
        if found is None:
            raise APIError(404, f"No image {name!r} for problem {problem_id!r}.")
        data, content_type = found
        self.set_header("Content-Type", content_type)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data)


def public_submission(doc: Submission) -> dict[str, Any]:
    """A stored submission as its owner may see it."""
    return {
        "id": doc["_id"],
        "problem_id": doc["problem_id"],
        "status": doc["status"],
        "verdict": doc.get("verdict"),
        "message": doc.get("message", ""),
        "score": doc.get("score"),
        "max_score": doc.get("max_score"),
        "passed": doc.get("passed"),
        "total": doc.get("total"),
        "tests": doc.get("tests", []),
        "created_at": doc.get("created_at"),
        "finished_at": doc.get("finished_at"),
        "assessment_id": doc.get("assessment_id"),
        "position": None,
    }


def own_submission(doc: Submission) -> dict[str, Any]:
    """A submission as its owner lists it: with their code."""
    return {**public_submission(doc), "code": doc.get("code", "")}


def staff_submission(doc: Submission) -> dict[str, Any]:
    """A learner's submission as their teachers and admins see it: with the learner's
    name, their code and why hidden tests failed (never shown to learners)."""
    return {
        **own_submission(doc),
        "user": doc["user"],
        "hidden_detail": doc.get("hidden_detail", []),
    }


# A submission body over the limit is still read (and dropped) up to this many times the
# limit, so that the client, still sending, sees the 413 and its words: answering early
# closes the connection under it. Beyond it tornado cuts the connection with a bare 400.
READ_AND_DROP_FACTOR = 16


@web.stream_request_body
class SubmissionsHandler(AuthenticatedHandler):
    """Reads its own body: a submission too large gets a JSON 413 where tornado's body
    limit would answer a bare 400, and a refusal decided before the body arrives (a bad
    token, a rate limit, a restart) is answered after it, so the client sees it."""

    async def prepare(self) -> None:  # type: ignore[override]
        self._body = bytearray()
        self._too_large = False
        self._refused: Exception | None = None
        if self.request.method != "POST":
            await super().prepare()
            return
        if isinstance(self.request.connection, HTTP1Connection):
            limit = self.service.submissions.max_body_bytes()
            self.request.connection.set_max_body_size(limit * READ_AND_DROP_FACTOR)
        try:
            await super().prepare()
        except Exception as exc:  # noqa: BLE001 - raised again by post(), once the body is read
            self._refused = exc

    def data_received(self, chunk: bytes) -> None:
        if self._refused is not None or self._too_large:
            return
        if len(self._body) + len(chunk) > self.service.submissions.max_body_bytes():
            self._too_large = True
            self._body = bytearray()
            return
        self._body += chunk

    async def get(self) -> None:
        """The caller's own submissions, newest first, with their code: ``?problem_id=``
        for one problem, ``?limit=`` (at most 100, default 20), and ``?before=`` (the
        ``next`` value of the previous page) for the page after."""
        problem_id = self.get_argument("problem_id", None)
        try:
            limit = min(max(int(self.get_argument("limit", "20")), 1), 100)
        except ValueError:
            raise APIError(400, "'limit' must be a whole number.") from None
        before = None
        if self.get_argument("before", None):
            try:
                before = dt.datetime.fromisoformat(self.get_argument("before"))
            except ValueError:
                raise APIError(400, "'before' must be the 'next' value of a page.") from None
            if before.tzinfo is None:
                before = before.replace(tzinfo=dt.UTC)
        docs = await self.service.storage.submissions_of(
            self.user_name, limit + 1, problem_id=problem_id, before=before
        )
        page = docs[:limit]
        self.write_json(
            {
                "submissions": [own_submission(d) for d in page],
                "next": page[-1]["created_at"].isoformat() if len(docs) > limit else None,
            }
        )

    async def post(self) -> None:
        if self._refused is not None:
            raise self._refused
        self.request.body = bytes(self._body)
        submissions = self.service.submissions
        try:
            if self._too_large:
                raise SubmissionError(
                    413,
                    f"Submission is larger than {submissions.max_notebook_bytes} bytes.",
                    reason="too_large",
                )
            source = submissions.source(self.json_body())
            groups = list(self.user_model.get("groups") or ())
            # The level lock, the caller's cohorts and their limits are independent reads:
            # made together, a submission waits for the slowest, not for their sum.
            checks: list[Awaitable[Any]] = [
                self.service.identity.cohorts_of(self.user_model),
                self.service.storage.overrides_for(self.user_name, groups),
            ]
            if source.assessment_id is None:  # an assessment's own window admits it
                problem = self.service.content.get(source.problem_id)
                if problem is not None:
                    checks.append(self.require_open(problem))
            cohorts, (learner_limits, set_for_cohorts), *_ = await asyncio.gather(*checks)
            submitter = Submitter(
                self.user_name,
                tuple(groups),
                self.user_model.get("role") or self.staff_role(),
                self.request_id,
                cohort_limits=tuple(c.limits for c in cohorts if c.limits) + tuple(set_for_cohorts),
                learner_limits=learner_limits,
            )
            accepted = await submissions.accept(submitter, source)
        except SubmissionError as exc:
            if exc.reason:
                metrics.REJECTIONS.labels(exc.reason).inc()
            headers: dict[str, str] = {}
            extra: dict[str, Any] = {}
            if exc.retry_after_seconds is not None:
                headers["Retry-After"] = str(exc.retry_after_seconds)
                extra["retry_after"] = exc.retry_after_seconds
            if exc.reason:  # rate_limit, daily_quota, backpressure, sandboxes
                extra["reason"] = exc.reason
            raise APIError(exc.status, exc.message, headers, **extra) from None
        if not accepted.duplicate:
            self.set_header("Location", f"{self.request.path.rstrip('/')}/{accepted.id}")
        self.write_json(accepted.as_json(), status=202)


class SubmissionHandler(AuthenticatedHandler):
    async def get(self, submission_id: str) -> None:
        """The submission; with ``?wait=N`` (seconds, at most
        ``GradingService.max_wait_seconds``) answer as soon as it has a verdict, or after
        N seconds with its current state (long polling)."""
        try:
            wait = min(
                max(float(self.get_argument("wait", "0")), 0.0), self.service.max_wait_seconds
            )
        except ValueError:
            raise APIError(400, "'wait' must be a number of seconds.") from None
        if math.isnan(wait):  # float() reads "nan", which no comparison would stop
            raise APIError(400, "'wait' must be a number of seconds.")
        try:
            async with self.service.request_limits.long_poll(self.user_name, wait):
                doc = await self._wait_for(submission_id, wait)
        except TooManyRequests as refusal:
            raise too_many(refusal) from None
        reader_is_staff = doc["user"] != self.user_name  # require_reader allowed them
        view = staff_submission(doc) if reader_is_staff else public_submission(doc)
        if doc["status"] == "queued":
            view["position"] = await self.service.storage.queue_position(doc)
        self.write_json(view)

    async def _wait_for(self, submission_id: str, wait: float) -> Submission:
        """The submission once it has a verdict, or after ``wait`` seconds."""
        deadline = time.monotonic() + wait
        notifier = self.service.notifier
        woken = False
        with notifier.watching(submission_id) as verdict:  # before the first read
            while True:
                # Woken by this process's own worker: the verdict it stored is at hand.
                recent = notifier.take_recent(submission_id) if woken else None
                doc = recent or await self.service.storage.get_submission(submission_id)
                if doc is None:
                    raise APIError(404, f"No submission with id {submission_id!r}.")
                if doc["user"] != self.user_name:
                    await self.require_reader(
                        doc["user"], f"No submission with id {submission_id!r}."
                    )
                remaining = deadline - time.monotonic()
                released = self.service.drain.polls_released
                if doc["status"] in ("graded", "failed") or remaining <= 0 or released.is_set():
                    return doc
                await first_of(notifier.wait_for(verdict, remaining), released.wait())
                woken = True


class ProgressHandler(AuthenticatedHandler):
    async def get(self) -> None:
        self.write_json(await self.progress_of(self.user_name))

    async def progress_of(self, user: str) -> dict[str, Any]:
        """Progress of ``user`` (the caller, or a learner a teacher may read), with streak
        days counted in their cohort's time zone and the next problem from its track."""
        storage = self.service.storage
        records = await storage.progress_for(user)
        solved_at = (await storage.solved_at([user]))[user]
        if user == self.user_name:
            cohorts = await self.service.identity.cohorts_of(self.user_model)
        else:
            hub = self.service.identity.hub
            try:
                cohorts = await hub.cohorts(await hub.groups_of(user))
            except AuthError:
                cohorts = []
        return learner_progress(
            user,
            records,
            self.service.content,
            solved_at=solved_at,
            time_zone=next((c.time_zone for c in cohorts if c.time_zone), None),
            cohort_track=next((c.track for c in cohorts if c.track), None),
        )


async def first_of(*aws: Any) -> None:
    """Until the first of these awaitables is done; the others are cancelled."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


class NotFoundHandler(BaseHandler):
    """Any path no route serves: a JSON 404 like every other refusal, not tornado's
    HTML page (``default_handler_class``)."""

    serves_while_draining = True

    def prepare(self) -> None:
        super().prepare()
        raise APIError(404, "There is nothing at this address.")


class HealthHandler(BaseHandler):
    """Liveness, public: the process answers."""

    serves_while_draining = True

    def get(self) -> None:
        self.write_json({"status": "ok"})


class PrivateDetailHandler(BaseHandler):
    """A handler whose answer is for admins and Prometheus only (``edge/private.py``):
    a static metrics token, a hub token with a monitoring scope, or a direct connection
    from an admin network."""

    serves_while_draining = True

    async def may_see_detail(self) -> bool:
        rules = self.service.monitoring_access
        authorization = self.request.headers.get("Authorization")
        if rules.token_matches(authorization) or rules.network_allows(self.request):
            return True
        token = token_from_header(authorization)
        if token is None or looks_like_jwt(token):  # a JWT's service account has no scopes
            return False
        try:  # a user's or a hub service's token (a Prometheus service in the hub)
            model = await self.service.hub_auth.user_for_token(token, sync=False)
        except web.HTTPError:  # the hub does not answer: no detail, no error
            return False
        if not model:
            return False
        self.user_name = model.get("name")
        return rules.scopes_allow(model)


class ReadyHandler(PrivateDetailHandler):
    """Readiness: 200 or 503 for everybody (load balancers), with the checks and the
    pool for admins. A stopping service is not ready, so traffic moves away from it."""

    async def get(self) -> None:
        checks = await self.service.check_dependencies()
        ok = metrics.record_readiness(checks)
        draining = self.service.drain.draining
        status = "ok" if ok and not draining else "unavailable"
        code = 200 if status == "ok" else 503
        if not await self.may_see_detail():
            self.write_json({"status": status}, status=code)
            return
        pool = self.service.pool.describe()
        self.write_json(
            {"status": status, "checks": checks, "pool": pool, "draining": draining},
            status=code,
        )


class MetricsHandler(PrivateDetailHandler):
    async def get(self) -> None:
        if not await self.may_see_detail():
            raise APIError(
                403,
                "Metrics need a metrics token, a hub token with the read:metrics scope, "
                "or a direct connection from an admin network.",
            )
        await scrape.refresh(self.service)  # answers even when Redis is down
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest())


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    (r"api/problems/?", ProblemsHandler),
    (r"api/tracks/?", TracksHandler),
    (r"api/problems/([^/]+)/?", ProblemHandler),
    (r"api/problems/([^/]+)/assets/([^/]+)", ProblemAssetHandler),
    (r"api/submissions/?", SubmissionsHandler),
    (r"api/submissions/([^/]+)/?", SubmissionHandler),
    (r"api/progress/?", ProgressHandler),
    (r"health/?", HealthHandler),
    (r"health/ready/?", ReadyHandler),
    (r"metrics/?", MetricsHandler),
]


def routes(
    prefixes: list[str], table: Sequence[tuple[str, type[web.RequestHandler]]]
) -> list[tuple[str, type[web.RequestHandler]]]:
    """The table's routes under each prefix (``/`` and ``/services/<name>/``)."""
    return [(prefix + pattern, handler) for prefix in prefixes for pattern, handler in table]
