"""Accepting a submission: the whole protocol between the HTTP edge and the queue.

``SubmissionService.accept`` is the one place that turns a request body into a queued
job: check the body (problem, code or notebook, sizes), admit it (dedup, limits,
backpressure, in :class:`~grading_service.edge.admission.Admission`), store it as ``queued``,
put it on the queue, and undo what was done when a later step fails, so a refused or
failed submission never counts against the learner and is never left half-made.
Handlers only parse the request, call it, and render what it returns or raises.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.errors import PyMongoError
from redis.exceptions import RedisError

from .. import metrics
from ..content.store import ContentStore
from ..jobs.queue import JobQueue
from ..records import SubmissionStatus
from ..storage import Storage
from .admission import Admission, Refusal
from .notebook import NotebookError, notebook_source

log = logging.getLogger("coderunner.submissions")

RETRY_AFTER_SECONDS = 10


class SubmissionError(Exception):
    """A submission that is not accepted: the status and message a client gets."""

    def __init__(
        self, status: int, message: str, *, reason: str = "", retry_after_seconds: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason  # metric label for refusals; empty for plain bad input
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Submitter:
    """Who submits: the name, groups and role the hub or a JWT vouched for."""

    name: str
    groups: tuple[str, ...] = ()
    role: str | None = None
    request_id: str = ""
    # Limits from the properties of the submitter's cohorts (see edge/cohorts.py).
    cohort_limits: tuple[Mapping[str, int], ...] = ()
    # Limits a teacher set for this learner on the dashboard (win over the rest).
    learner_limits: Mapping[str, int] | None = None


@dataclass(frozen=True)
class Accepted:
    id: str
    status: SubmissionStatus
    duplicate: bool = False

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.duplicate:
            body["duplicate"] = True
        return body


@dataclass(frozen=True)
class Source:
    """What is graded: the learner's module, and where it came from."""

    problem_id: str
    code: str
    kind: str  # code | notebook


class SubmissionService:
    def __init__(
        self,
        *,
        content: ContentStore,
        admission: Admission,
        storage: Storage,
        queue: JobQueue,
        max_code_bytes: int,
        max_notebook_bytes: int,
    ) -> None:
        self.content = content
        self.admission = admission
        self.storage = storage
        self.queue = queue
        self.max_code_bytes = max_code_bytes
        self.max_notebook_bytes = max_notebook_bytes

    def max_body_bytes(self) -> int:
        """Largest request body worth parsing (a notebook plus its envelope)."""
        return self.max_notebook_bytes + 4096

    def source(self, body: dict[str, Any]) -> Source:
        """The checked source of a request body; raises SubmissionError (400/404/413)."""
        problem_id = body.get("problem_id")
        if not isinstance(problem_id, str) or not problem_id:
            raise SubmissionError(400, "'problem_id' (a string) is required.")
        if self.content.get(problem_id) is None:
            raise SubmissionError(404, f"No problem with id {problem_id!r}.")
        if "notebook" in body:
            if not isinstance(body["notebook"], dict):
                raise SubmissionError(400, "'notebook' must be an nbformat v4 JSON object.")
            try:
                code = notebook_source(body["notebook"])
            except NotebookError as exc:
                raise SubmissionError(400, f"Cannot grade this notebook: {exc}") from None
            kind = "notebook"
        elif isinstance(body.get("code"), str):
            code, kind = body["code"], "code"
        else:
            raise SubmissionError(400, "Send either 'code' (a string) or 'notebook' (nbformat v4).")
        if len(code.encode()) > self.max_code_bytes:
            raise SubmissionError(
                413, f"Code is larger than {self.max_code_bytes} bytes.", reason="too_large"
            )
        return Source(problem_id, code, kind)

    async def accept(self, submitter: Submitter, source: Source) -> Accepted:
        """Admit, store and queue one submission; raises SubmissionError."""
        code_hash = hashlib.sha256(source.code.encode()).hexdigest()
        submission_id = uuid.uuid4().hex
        groups = list(submitter.groups)
        lane = self.admission.lane_for(groups, role=submitter.role)
        user, problem_id = submitter.name, source.problem_id

        async def pending(earlier: str) -> str | None:
            doc = await self.storage.get_submission(earlier)
            if doc and doc["user"] == user and doc["status"] in ("queued", "running"):
                return doc["status"]
            return None

        try:
            twin = await self.admission.admit(
                user=user,
                groups=groups,
                lane=lane,
                problem_id=problem_id,
                code_hash=code_hash,
                submission_id=submission_id,
                pending=pending,
                cohort_limits=submitter.cohort_limits,
                learner_limits=submitter.learner_limits,
            )
        except Refusal as refusal:
            raise SubmissionError(
                refusal.status,
                refusal.message,
                reason=refusal.reason,
                retry_after_seconds=refusal.retry_after_seconds,
            ) from None
        except RedisError as exc:
            log.warning(
                "admission unavailable: %s", exc, extra={"request_id": submitter.request_id}
            )
            raise _unavailable("queue") from None
        except PyMongoError as exc:
            log.warning(
                "cannot look up a pending twin: %s", exc, extra={"request_id": submitter.request_id}
            )
            raise _unavailable("database") from None
        if twin is not None:
            earlier = await self.storage.get_submission(twin)
            return Accepted(twin, earlier["status"] if earlier else "queued", duplicate=True)

        doc: dict[str, Any] = {
            "_id": submission_id,
            "user": user,
            "problem_id": problem_id,
            "code": source.code,
            "code_hash": code_hash,
            "source_kind": source.kind,
            "priority": lane == "priority",
            "lane": lane,
            "request_id": submitter.request_id,
        }
        try:
            await self.storage.insert_submission(doc)
        except PyMongoError as exc:
            log.warning(
                "cannot store submission: %s", exc, extra={"request_id": submitter.request_id}
            )
            await self._undo(user, problem_id, code_hash, submission_id)
            raise _unavailable("database") from None
        try:
            await self.queue.enqueue(submission_id, lane=lane)
        except RedisError as exc:
            log.warning(
                "cannot queue submission: %s", exc, extra={"request_id": submitter.request_id}
            )
            try:
                await self.storage.delete_submission(submission_id)
            except PyMongoError:
                log.exception(
                    "a stored submission could not be queued nor removed",
                    extra={"submission_id": submission_id},
                )
            await self._undo(user, problem_id, code_hash, submission_id)
            raise _unavailable("queue") from None
        metrics.SUBMISSIONS.labels(source.kind).inc()
        log.info(
            "accepted",
            extra={
                "request_id": submitter.request_id,
                "user": user,
                "submission_id": submission_id,
            },
        )
        return Accepted(submission_id, "queued")

    async def _undo(self, user: str, problem_id: str, code_hash: str, submission_id: str) -> None:
        try:
            await self.admission.undo(user, problem_id, code_hash, submission_id)
        except RedisError:
            pass  # Redis is down too: the counts expire on their own


def _unavailable(what: str) -> SubmissionError:
    return SubmissionError(
        503,
        f"Cannot accept the submission right now ({what} unavailable); your work is "
        "safe, please try again shortly.",
        reason=f"{what}_unavailable",
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )
