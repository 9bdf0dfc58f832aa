"""The teacher dashboard at ``/services/grader/dashboard``.

Teachers sign in through JupyterHub OAuth (``HubOAuthenticated``): the token JupyterHub
issues to this service carries the Code Runner scopes the teacher's roles grant, filtered
to their cohorts (the service's ``oauth_client_allowed_scopes``), and
:class:`~grading_service.edge.access.Access` reads them exactly as for API tokens. A
learner who opens the page gets a polite 403; a cohort the teacher does not teach is a
404. The page itself is static HTML and a little JavaScript that reads the JSON of
:class:`CohortDataHandler` and refreshes it on its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from tornado import web

from ..assessments import Assessment, AssessmentError, parse
from ..edge.access import Access
from ..edge.auth import AuthError, may_read
from ..edge.cohorts import LIMIT_KEYS, MAX_LIMIT
from ..edge.handlers import staff_submission
from ..edge.headers import SecurityHeaders
from ..edge.leaderboards import rows_of
from ..edge.people import MAX_HISTORY
from ..leaderboard import LeaderboardError, check_names
from ..records import is_solved
from ..similarity import Entry, similar_pairs
from . import report

if TYPE_CHECKING:
    from ..app import GradingService

PAGE = Path(__file__).resolve().parent / "dashboard.html"


class DashboardHandler(SecurityHeaders, HubOAuthenticated, web.RequestHandler):
    """Signed in with the hub's OAuth cookie; answers only staff."""

    @property
    def service(self) -> GradingService:
        return self.settings["service"]

    def initialize(self) -> None:
        if self.service.oauth is not None:
            self.hub_auth = self.service.oauth

    def prepare(self) -> None:
        if self.service.oauth is None:
            raise web.HTTPError(
                503, "The dashboard needs JupyterHub: this service runs without it."
            )
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
        )

    @property
    def access(self) -> Access:
        return Access.from_model(self.current_user)

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object (400 otherwise)."""
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(400, "The request is not JSON.") from None
        if not isinstance(body, dict):
            raise web.HTTPError(400, "The request must be a JSON object.")
        return body

    def write_json(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, default=str))

    def require_staff(self) -> Access:
        access = self.access
        if not access.is_staff:
            raise web.HTTPError(403, "This page is for teachers.")
        return access

    async def cohort_or_404(self, name: str) -> Any:
        if not self.access.may_teach(name):
            raise web.HTTPError(404, f"No cohort {name!r}.")
        try:
            return await self.service.identity.hub.cohort(name)
        except AuthError as exc:
            raise web.HTTPError(exc.status, exc.message) from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        if status_code == 403:
            message = (
                "This page is for teachers. If you teach a class here, ask your school's "
                "Code Runner admin to add you to the class's teachers."
            )
        if not self.request.path.rstrip("/").endswith("/dashboard"):  # the page's data
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": str(message), "status": status_code}))
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            "<!doctype html><meta charset=utf-8><title>Code Runner</title>"
            "<style>body{font:16px system-ui;margin:3rem;max-width:40rem}</style>"
            f"<h1>Code Runner</h1><p>{web.escape.xhtml_escape(str(message))}</p>"
        )


class PageHandler(DashboardHandler):
    @web.authenticated
    async def get(self, cohort: str | None = None) -> None:
        self.require_staff()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        # The page's own requests carry this token (X-XSRFToken): JupyterHub ignores the
        # login cookie of a script's request that does not.
        token = web.escape.xhtml_escape(self.xsrf_token)
        page = PAGE.read_text().replace("{{xsrf_token}}", token)
        self.finish(page.replace("{{nonce}}", self.page_nonce()))


class CohortsHandler(DashboardHandler):
    @web.authenticated
    async def get(self) -> None:
        access = self.require_staff()
        try:
            cohorts = await self.service.identity.hub.cohorts_taught(access)
        except AuthError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        self.write_json(
            {"user": self.current_user["name"], "cohorts": [c.listing() for c in cohorts]}
        )


async def cohort_report(handler: DashboardHandler, name: str) -> dict[str, Any]:
    """The report of one cohort the caller teaches (404 otherwise); with
    ``?assessment=ID`` only that assessment's problems and the submissions made for it."""
    handler.require_staff()
    cohort = await handler.cohort_or_404(name)
    service = handler.service
    members = list(cohort.members)
    assessment_id = handler.get_argument("assessment", None)
    if assessment_id:
        doc = await service.storage.get_assessment(assessment_id)
        if doc is None or doc["cohort"] != name:
            raise web.HTTPError(404, f"No assessment {assessment_id!r} for this class.")
        only = Assessment.from_doc(doc).problems
        docs = await service.storage.graded_submissions_of(members, assessment_id)
        problems = report.columns(service.content.index, None, only=only)
    else:
        docs = await service.storage.graded_submissions_of(members)
        problems = report.columns(service.content.index, cohort.track)
    solved: dict[str, set[str]] = {m: set() for m in members}
    for doc in docs:
        if doc.get("user") in solved and is_solved(doc):
            solved[doc["user"]].add(doc["problem_id"])
    reached = {}
    for learner, done in solved.items():
        best: dict[str, int] = {}
        for (track, level), is_open in service.content.unlocked_levels(done).items():
            if is_open:
                best[track] = max(best.get(track, 0), level)
        reached[learner] = {cohort.track: best.get(cohort.track, 1)} if cohort.track else best
    return {
        **report.cohort_report(cohort.public(), members, problems, docs, reached),
        "assessment": assessment_id,
    }


class CohortDataHandler(DashboardHandler):
    @web.authenticated
    async def get(self, name: str) -> None:
        data = await cohort_report(self, name)
        data["generated_at"] = dt.datetime.now(dt.UTC).isoformat()
        self.write_json(data)


class GradebookHandler(DashboardHandler):
    """``gradebook.csv`` / ``gradebook.json``, named with the cohort and the date."""

    @web.authenticated
    async def get(self, name: str, kind: str) -> None:
        data = await cohort_report(self, name)
        day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        which = f"{name}-{data['assessment']}" if data["assessment"] else name
        filename = f"gradebook-{which}-{day}.{kind}"
        self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
        if kind == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.finish(report.gradebook_csv(data))
        else:
            self.write_json(report.gradebook_json(data))


class AssessmentsHandler(DashboardHandler):
    """The class's assessments (GET), and a new one (POST, audited)."""

    @web.authenticated
    async def get(self, name: str) -> None:
        self.require_staff()
        await self.cohort_or_404(name)
        now = dt.datetime.now(dt.UTC)
        docs = await self.service.storage.assessments_of([name])
        self.write_json({"assessments": [Assessment.from_doc(d).public(now) for d in docs]})

    @web.authenticated
    async def post(self, name: str) -> None:
        self.require_staff()
        await self.cohort_or_404(name)
        body = self.json_body()
        try:
            assessment = parse(
                body,
                cohort=name,
                known_problems=set(self.service.content.problems),
                by=self.current_user["name"],
            )
        except AssessmentError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        created = await self.service.storage.create_assessment(
            assessment.as_doc(), by=self.current_user["name"]
        )
        if not created:
            raise web.HTTPError(409, f"There is already an assessment {assessment.id!r}.")
        self.write_json(assessment.public(dt.datetime.now(dt.UTC)), status=201)


class LeaderboardHandler(DashboardHandler):
    """The class's leaderboard: off by default; on, with the names the teacher chose."""

    @web.authenticated
    async def get(self, name: str) -> None:
        self.require_staff()
        cohort = await self.cohort_or_404(name)
        doc = await self.service.storage.leaderboard_of(name)
        names = dict(doc.get("names") or {})
        rows = await rows_of(self.service.storage, names) if names else []
        body = {
            "enabled": bool(doc.get("enabled")),
            "names": names,
            "learners": list(cohort.members),
            "rows": rows,
        }
        self.write_json(body)

    @web.authenticated
    async def post(self, name: str) -> None:
        self.require_staff()
        cohort = await self.cohort_or_404(name)
        body = self.json_body()
        if not isinstance(body.get("enabled"), bool):
            raise web.HTTPError(400, "Send {'enabled': true|false, 'names': {...}}.")
        try:
            names = check_names(body.get("names", {}), cohort.members)
        except LeaderboardError as exc:
            raise web.HTTPError(400, str(exc)) from None
        await self.service.storage.set_leaderboard(
            name, body["enabled"], names, by=self.current_user["name"]
        )
        self.write_json({"enabled": body["enabled"], "names": names})


class SimilarityHandler(DashboardHandler):
    """Pairs of the class's latest submissions of one problem that are unusually similar
    (``?problem=ID``), with both codes and the matching lines, for a side-by-side look."""

    @web.authenticated
    async def get(self, name: str) -> None:
        self.require_staff()
        cohort = await self.cohort_or_404(name)
        problem = self.service.content.get(self.get_argument("problem", ""))
        if problem is None:
            raise web.HTTPError(404, "No such problem.")
        docs = await self.service.storage.latest_graded(list(cohort.members), problem.id)
        entries = [Entry(d["user"], d["_id"], d.get("code", "")) for d in docs]
        found = await asyncio.get_running_loop().run_in_executor(
            None, partial(similar_pairs, entries, problem.starter)
        )
        codes = {d["_id"]: d.get("code", "") for d in docs}
        body = {
            "problem_id": problem.id,
            "compared": found.compared,
            "flagged": found.flagged,
            "typical_score": found.typical_score,
            "cutoff": found.cutoff,
            "notes": [n.__dict__ for n in found.notes],
            "pairs": [
                {
                    "a": p.a,
                    "b": p.b,
                    "score": round(p.score, 3),
                    "a_code": codes[p.a_submission],
                    "b_code": codes[p.b_submission],
                    "matches": [
                        {"a_lines": m.a_lines, "b_lines": m.b_lines, "tokens": m.tokens}
                        for m in p.matches
                    ],
                }
                for p in found.pairs
            ],
        }
        self.write_json(body)


def parse_limits(body: dict[str, Any]) -> dict[str, int] | None:
    """The limits in a request: whole numbers from 0 (no limit) to 100000; both absent
    (or null) clears the override."""
    limits = {}
    for key in LIMIT_KEYS:
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LIMIT:
            raise web.HTTPError(
                400, f"{key} must be a whole number from 0 (no limit) to {MAX_LIMIT}."
            )
        limits[key] = value
    return limits or None


class LimitsHandler(DashboardHandler):
    """Rate-limit and quota overrides for the class or one of its learners, set by its
    teachers and recorded in the audit log (who, when, what, what was there before)."""

    @web.authenticated
    async def get(self, name: str) -> None:
        self.require_staff()
        cohort = await self.cohort_or_404(name)
        storage = self.service.storage
        members = list(cohort.members)
        body = await storage.overrides_of(name, members)
        subjects = [f"cohort:{name}"] + [f"learner:{m}" for m in members]
        body["audit"] = await storage.audit_of(subjects)
        admission = self.service.admission
        body["defaults"] = {
            "rate_per_minute": admission.rate_per_minute,
            "daily_quota": admission.daily_quota,
        }
        self.write_json(body)

    @web.authenticated
    async def post(self, name: str) -> None:
        self.require_staff()
        cohort = await self.cohort_or_404(name)
        body = self.json_body()
        learner = body.get("learner")
        if learner is not None and learner not in cohort.members:
            raise web.HTTPError(404, f"No learner {learner!r} in this class.")
        kind, subject = ("learner", learner) if learner is not None else ("cohort", name)
        await self.service.storage.set_override(
            kind, subject, parse_limits(body), by=self.current_user["name"]
        )
        self.write_json(await self.service.storage.overrides_of(name, [*cohort.members]))


class LearnerHandler(DashboardHandler):
    """One learner's submissions, newest first, with code and why hidden tests failed."""

    @web.authenticated
    async def get(self, learner: str) -> None:
        access = self.require_staff()
        try:
            allowed = await may_read(access, self.service.identity.hub, learner)
        except AuthError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        if not allowed:
            raise web.HTTPError(404, f"No learner {learner!r}.")
        docs = await self.service.storage.submissions_of(learner, MAX_HISTORY)
        body = {
            "user": learner,
            "submissions": [staff_submission(doc) for doc in docs],
        }
        self.write_json(body)


class OAuthCallbackHandler(SecurityHeaders, HubOAuthCallbackHandler):
    def initialize(self) -> None:
        self.hub_auth = self.settings["service"].oauth


class RootHandler(SecurityHeaders, web.RequestHandler):
    """The service's own root (the hub's Services menu links here): the dashboard."""

    def get(self) -> None:
        self.redirect(self.request.path.rstrip("/") + "/dashboard")


ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    (r"", RootHandler),
    (r"dashboard/?", PageHandler),
    (r"dashboard/cohorts/?", CohortsHandler),
    (r"dashboard/cohorts/([^/]+)/data", CohortDataHandler),
    (r"dashboard/cohorts/([^/]+)/gradebook\.(csv|json)", GradebookHandler),
    (r"dashboard/learners/([^/]+)/submissions", LearnerHandler),
    (r"dashboard/cohorts/([^/]+)/similarity", SimilarityHandler),
    (r"dashboard/cohorts/([^/]+)/limits", LimitsHandler),
    (r"dashboard/cohorts/([^/]+)/assessments", AssessmentsHandler),
    (r"dashboard/cohorts/([^/]+)/leaderboard", LeaderboardHandler),
    (r"oauth_callback", OAuthCallbackHandler),
]
