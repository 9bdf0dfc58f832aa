"""Accepting a submission: the whole protocol between the HTTP edge and the queue.

``SubmissionService.accept`` is the one place that turns a request body into a queued
job: check the body (problem, code or notebook, sizes), admit it (dedup, limits,
backpressure, in :class:`~grading_service.edge.admission.Admission`), store it as ``queued``,
put it on the queue, and undo what was done when a later step fails, so a refused or
failed submission never counts against the learner and is never left half-made.
Handlers only parse the request, call it, and render what it returns or raises.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.errors import PyMongoError
from redis.exceptions import RedisError

from .. import metrics
from ..assessments import ID as ASSESSMENT_ID
from ..assessments import Assessment, AssessmentError
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
    assessment_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.duplicate:
            body["duplicate"] = True
        if self.assessment_id:
            body["assessment_id"] = self.assessment_id
        return body


@dataclass(frozen=True)
class Source:
    """What is graded: the learner's module, and where it came from."""

    problem_id: str
    code: str
    kind: str  # code | notebook
    # Submitted for this assessment (uses one of its attempts), not as practice.
    assessment_id: str | None = None


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
            if not code.strip():
                raise SubmissionError(
                    400,
                    "Cannot grade this notebook: it has no code cells (cells tagged "
                    "skip-grading are left out).",
                )
            kind = "notebook"
        elif isinstance(body.get("code"), str):
            code, kind = body["code"], "code"
        else:
            raise SubmissionError(400, "Send either 'code' (a string) or 'notebook' (nbformat v4).")
        try:
            size = len(code.encode())
        except UnicodeEncodeError:  # an unpaired surrogate, sent as "\\udcff" in the JSON
            raise SubmissionError(
                400, "The code is not valid UTF-8 text (it holds an unpaired surrogate)."
            ) from None
        if size > self.max_code_bytes:
            raise SubmissionError(
                413, f"Code is larger than {self.max_code_bytes} bytes.", reason="too_large"
            )
        assessment_id = body.get("assessment_id")
        if assessment_id is not None and (
            not isinstance(assessment_id, str) or not ASSESSMENT_ID.match(assessment_id)
        ):
            raise SubmissionError(400, "'assessment_id' must be an assessment's id.")
        return Source(problem_id, code, kind, assessment_id)

    async def accept(self, submitter: Submitter, source: Source) -> Accepted:
        """Admit, store and queue one submission; raises SubmissionError.

        A submission for an assessment first takes one of the learner's attempts (the
        assessment must be their cohort's, open, and hold the problem); the attempt is
        given back when the submission is then refused, fails, or repeats a pending one.
        """
        if source.assessment_id is None:
            return await self._accept(submitter, source)
        assessment = await self._claim_attempt(submitter, source)
        try:
            accepted = await self._accept(submitter, source)
        except BaseException:
            await self._release_attempt(assessment, submitter, source)
            raise
        if accepted.duplicate:
            await self._release_attempt(assessment, submitter, source)
        return accepted

    async def _claim_attempt(self, submitter: Submitter, source: Source) -> Assessment:
        assert source.assessment_id is not None
        try:
            doc = await self.storage.get_assessment(source.assessment_id)
        except PyMongoError:
            raise _unavailable("database") from None
        if doc is None or doc["cohort"] not in submitter.groups:
            raise SubmissionError(404, f"No assessment {source.assessment_id!r}.")
        assessment = Assessment.from_doc(doc)
        try:
            assessment.check_open(source.problem_id, dt.datetime.now(dt.UTC))
        except AssessmentError as exc:
            raise SubmissionError(exc.status, exc.message, reason="assessment") from None
        try:
            used = await self.storage.claim_attempt(
                assessment.id, submitter.name, source.problem_id, assessment.max_attempts
            )
        except PyMongoError:
            raise _unavailable("database") from None
        if used is None:
            raise SubmissionError(
                409,
                f"No attempts left for this problem in {assessment.title} "
                f"({assessment.max_attempts} of {assessment.max_attempts} used). You can "
                "still practise it.",
                reason="assessment",
            )
        return assessment

    async def _release_attempt(
        self, assessment: Assessment, submitter: Submitter, source: Source
    ) -> None:
        try:
            await self.storage.release_attempt(assessment.id, submitter.name, source.problem_id)
        except PyMongoError:
            log.exception(
                "an assessment attempt could not be given back",
                extra={"request_id": submitter.request_id},
            )

    async def _accept(self, submitter: Submitter, source: Source) -> Accepted:
        code_hash = hashlib.sha256(source.code.encode()).hexdigest()
        # The same code for an assessment and as practice are two different submissions.
        dedup_key = (
            code_hash
            if source.assessment_id is None
            else hashlib.sha256(f"{code_hash}:{source.assessment_id}".encode()).hexdigest()
        )
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
                code_hash=dedup_key,
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
            "assessment_id": source.assessment_id,
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
            await self._undo(user, problem_id, dedup_key, submission_id)
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
            await self._undo(user, problem_id, dedup_key, submission_id)
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
        return Accepted(submission_id, "queued", assessment_id=source.assessment_id)

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
