"""HTTP handlers of the grading API.

A submission's path reads in one direction: handler (validate) → storage (queued) →
queue → worker. Every error a user can meet is JSON ``{"message": ...}`` with the right
status; foreign or unknown ids answer 404.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from tornado import web

from . import metrics
from .admission import Refusal
from .auth import AuthError
from .notebook import NotebookError, notebook_source

log = logging.getLogger("coderunner.api")


class APIError(web.HTTPError):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(status, message)
        self.message = message
        self.headers = headers or {}


class BaseHandler(web.RequestHandler):
    @property
    def service(self) -> Any:
        return self.settings["service"]

    def prepare(self) -> None:
        self.request_id = self.request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
        self.set_header("X-Request-Id", self.request_id)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self._started = time.monotonic()

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "message", None) or self._reason
        if isinstance(exc, APIError):
            for key, value in exc.headers.items():
                self.set_header(key, value)
        elif status_code >= 500:
            message = "The grading service hit an unexpected error; it has been logged."
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(
                {
                    "message": message,
                    "status": status_code,
                    "request_id": getattr(self, "request_id", None),
                }
            )
        )

    def log_exception(self, typ, value, tb) -> None:  # noqa: ANN001 - tornado's signature
        if isinstance(value, web.HTTPError) and value.status_code < 500:
            return
        log.error(
            "unhandled error",
            exc_info=(typ, value, tb),
            extra={"request_id": getattr(self, "request_id", None)},
        )

    def on_finish(self) -> None:
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

    def json_body(self) -> dict:
        try:
            body = json.loads(self.request.body or b"")
        except ValueError as exc:
            raise APIError(400, f"Request body is not valid JSON: {exc}") from None
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
    def get(self, problem_id: str) -> None:
        problem = self.service.content.get(problem_id)
        if problem is None:
            raise APIError(404, f"No problem with id {problem_id!r}.")
        self.write_json(problem.public())


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


def public_submission(doc: dict) -> dict:
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
    }


class SubmissionsHandler(AuthenticatedHandler):
    async def post(self) -> None:
        service = self.service
        if len(self.request.body) > service.max_notebook_bytes + 4096:
            metrics.REJECTIONS.labels("too_large").inc()
            raise APIError(413, f"Submission is larger than {service.max_notebook_bytes} bytes.")
        body = self.json_body()
        problem_id = body.get("problem_id")
        if not isinstance(problem_id, str) or not problem_id:
            raise APIError(400, "'problem_id' (a string) is required.")
        problem = service.content.get(problem_id)
        if problem is None:
            raise APIError(404, f"No problem with id {problem_id!r}.")
        if "notebook" in body:
            if not isinstance(body["notebook"], dict):
                raise APIError(400, "'notebook' must be an nbformat v4 JSON object.")
            try:
                code = notebook_source(body["notebook"])
            except NotebookError as exc:
                raise APIError(400, f"Cannot grade this notebook: {exc}") from None
            source_kind = "notebook"
        elif isinstance(body.get("code"), str):
            code, source_kind = body["code"], "code"
        else:
            raise APIError(400, "Send either 'code' (a string) or 'notebook' (nbformat v4).")
        if len(code.encode()) > service.max_code_bytes:
            metrics.REJECTIONS.labels("too_large").inc()
            raise APIError(413, f"Code is larger than {service.max_code_bytes} bytes.")
        code_hash = hashlib.sha256(code.encode()).hexdigest()
        submission_id = uuid.uuid4().hex
        groups = list(self.user_model.get("groups") or [])
        priority = service.admission.is_priority(groups, role=self.user_model.get("role"))
        try:
            accepted = await self._admit(problem_id, code_hash, submission_id, groups, priority)
        except Refusal as refusal:
            metrics.REJECTIONS.labels(refusal.reason).inc()
            raise APIError(
                refusal.status, refusal.message, {"Retry-After": str(refusal.retry_after_seconds)}
            ) from None
        except RedisError as exc:
            log.warning("admission unavailable: %s", exc)
            metrics.REJECTIONS.labels("queue_unavailable").inc()
            raise APIError(
                503,
                "Cannot queue the submission right now (queue unavailable); "
                "your work is safe, please try again shortly.",
                {"Retry-After": "10"},
            ) from None
        if accepted is not None:  # an identical submission is still pending
            self.write_json({**accepted, "duplicate": True}, status=202)
            return
        doc = {
            "_id": submission_id,
            "user": self.user_name,
            "problem_id": problem_id,
            "code": code,
            "code_hash": code_hash,
            "source_kind": source_kind,
            "priority": priority,
            "request_id": self.request_id,
        }
        try:
            await service.storage.insert_submission(doc)
        except Exception as exc:
            log.warning("cannot store submission: %s", exc)
            await self._undo_admission(problem_id, code_hash, submission_id)
            raise APIError(
                503,
                "Cannot store the submission right now (database unavailable);"
                " please try again shortly.",
                {"Retry-After": "10"},
            ) from None
        try:
            await service.queue.enqueue(submission_id, priority=priority)
        except Exception as exc:
            log.warning("cannot queue submission: %s", exc)
            await service.storage.submissions.delete_one({"_id": submission_id})
            await self._undo_admission(problem_id, code_hash, submission_id)
            raise APIError(
                503,
                "Cannot queue the submission right now (queue unavailable); "
                "please try again shortly.",
                {"Retry-After": "10"},
            ) from None
        metrics.SUBMISSIONS.labels(source_kind).inc()
        log.info(
            "accepted",
            extra={
                "request_id": self.request_id,
                "user": self.user_name,
                "submission_id": submission_id,
            },
        )
        self.set_header("Location", f"{self.request.path.rstrip('/')}/{submission_id}")
        self.write_json({"id": submission_id, "status": "queued"}, status=202)

    async def _admit(
        self, problem_id: str, code_hash: str, submission_id: str, groups: list[str], priority: bool
    ) -> dict | None:
        """Dedup, then limits, then backpressure. Returns the pending twin, if any."""
        admission = self.service.admission
        earlier = await admission.claim_dedup(self.user_name, problem_id, code_hash, submission_id)
        if earlier is not None:
            doc = await self.service.storage.get_submission(earlier)
            if doc and doc["user"] == self.user_name and doc["status"] in ("queued", "running"):
                return {"id": earlier, "status": doc["status"]}
            await admission.replace_dedup(
                self.user_name, problem_id, code_hash, earlier, submission_id
            )
        try:
            await admission.check_limits(self.user_name, groups)
        except Refusal:
            await admission.drop_dedup(self.user_name, problem_id, code_hash, submission_id)
            raise
        try:
            await admission.check_backpressure(priority=priority)
        except Refusal:
            await self._undo_admission(problem_id, code_hash, submission_id)
            raise
        return None

    async def _undo_admission(self, problem_id: str, code_hash: str, submission_id: str) -> None:
        admission = self.service.admission
        try:
            await admission.release(self.user_name)
            await admission.drop_dedup(self.user_name, problem_id, code_hash, submission_id)
        except RedisError:
            pass


MAX_WAIT_SECONDS = 30.0


class SubmissionHandler(AuthenticatedHandler):
    async def get(self, submission_id: str) -> None:
        """The submission; with ``?wait=N`` (seconds, at most 30) answer as soon as it has
        a verdict, or after N seconds with its current state (long polling)."""
        try:
            wait = min(max(float(self.get_argument("wait", "0")), 0.0), MAX_WAIT_SECONDS)
        except ValueError:
            raise APIError(400, "'wait' must be a number of seconds.") from None
        deadline = time.monotonic() + wait
        while True:
            doc = await self.service.storage.get_submission(submission_id)
            if doc is None or doc["user"] != self.user_name:
                raise APIError(404, f"No submission with id {submission_id!r}.")
            remaining = deadline - time.monotonic()
            if doc["status"] in ("graded", "failed") or remaining <= 0:
                break
            await self.service.notifier.wait(submission_id, remaining)
        self.write_json(public_submission(doc))


class ProgressHandler(AuthenticatedHandler):
    async def get(self) -> None:
        records = await self.service.storage.progress_for(self.user_name)
        problems = []
        for rec in records:
            problems.append(
                {
                    "problem_id": rec["problem_id"],
                    "attempts": rec.get("attempts", 0),
                    "best_score": rec.get("best_score", 0),
                    "max_score": rec.get("max_score", 0),
                    "solved": rec.get("first_solved_at") is not None,
                    "first_solved_at": rec.get("first_solved_at"),
                }
            )
        solved = {p["problem_id"] for p in problems if p["solved"]}
        unlocked = self.service.content.unlocked_levels(solved)
        levels = [
            {"track": track, "level": number, "unlocked": is_open}
            for (track, number), is_open in unlocked.items()
        ]
        self.write_json(
            {
                "user": self.user_name,
                "problems": problems,
                "levels": levels,
                "solved": len(solved),
                "total_score": sum(p["best_score"] for p in problems),
            }
        )


class HealthHandler(BaseHandler):
    def get(self) -> None:
        self.write_json({"status": "ok"})


class ReadyHandler(BaseHandler):
    async def get(self) -> None:
        checks = await self.service.check_dependencies()
        ok = all(v == "ok" for v in checks.values())
        pool = {"ready": self.service.pool.ready_count, "size": self.service.pool.size}
        self.write_json(
            {"status": "ok" if ok else "unavailable", "checks": checks, "pool": pool},
            status=200 if ok else 503,
        )


class MetricsHandler(BaseHandler):
    async def get(self) -> None:
        metrics.POOL_READY.set(self.service.pool.ready_count)
        try:
            metrics.QUEUE_DEPTH.set(await self.service.queue.depth())
        except Exception:  # noqa: BLE001 - metrics must answer even when Redis is down
            pass
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest())


def routes(prefixes: list[str]) -> list[tuple[str, type[web.RequestHandler]]]:
    table = [
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
    out = []
    for prefix in prefixes:
        out += [(prefix + pattern, handler) for pattern, handler in table]
    return out
