"""Reading people's data: yourself, the learners you teach, and your cohorts.

Every handler here asks :class:`~grading_service.edge.access.Access` first. A learner
reads their own data only; a teacher reads the learners of the cohorts their role names;
an admin reads everything. Whatever the caller may not read answers 404, exactly like
something that does not exist.
"""

from __future__ import annotations

from typing import Any

from ..records import Submission
from .auth import AuthError
from .handlers import (
    APIError,
    AuthenticatedHandler,
    BaseHandler,
    ProgressHandler,
    own_submission,
    staff_submission,
)

MAX_HISTORY = 200


class MeHandler(AuthenticatedHandler):
    """Who the caller is here: their cohorts (the groups with Code Runner settings), their
    limits, what else they may read."""

    async def get(self) -> None:
        cohorts = await self.service.identity.cohorts_of(self.user_model)
        groups = list(self.user_model.get("groups") or ())
        learner_limits, set_for_cohorts = await self.service.storage.overrides_for(
            self.user_name, groups
        )
        rate, quota = self.service.admission.limits_for(
            groups, [*(c.limits for c in cohorts if c.limits), *set_for_cohorts], learner_limits
        )
        access = self.access
        self.write_json(
            {
                "name": self.user_name,
                "cohorts": [c.public() for c in cohorts if c.configured],
                "limits": {"rate_per_minute": rate, "daily_quota": quota},
                "admin": access.admin,
                "grader": access.grader,
                "teaches": "all"
                if access.admin or access.teaches_everyone
                else sorted(access.cohorts),
            }
        )


class LearnerProgressHandler(ProgressHandler):
    async def get(self, learner: str) -> None:  # type: ignore[override]
        await self.require_reader(learner, f"No learner {learner!r}.")
        self.write_json(await self.progress_of(learner))


class LearnerSubmissionsHandler(AuthenticatedHandler):
    """A learner's submissions, newest first (``?limit=N``, at most 200), with code."""

    async def get(self, learner: str) -> None:
        await self.require_reader(learner, f"No learner {learner!r}.")
        try:
            limit = min(max(int(self.get_argument("limit", "50")), 1), MAX_HISTORY)
        except ValueError:
            raise APIError(400, "'limit' must be a whole number.") from None
        docs = await self.service.storage.submissions_of(learner, limit)
        self.write_json(
            {
                "user": learner,
                "submissions": [self.view(doc, learner) for doc in docs],
            }
        )

    def view(self, doc: Submission, learner: str) -> dict[str, Any]:
        """With the code; for a teacher or admin also why hidden tests failed."""
        return own_submission(doc) if learner == self.user_name else staff_submission(doc)


class CohortsHandler(AuthenticatedHandler):
    """The cohorts the caller teaches (every hub group for admins)."""

    async def get(self) -> None:
        try:
            cohorts = await self.service.identity.hub.cohorts_taught(self.access)
        except AuthError as exc:
            raise APIError(exc.status, exc.message) from None
        self.write_json({"cohorts": [c.listing() for c in cohorts]})


class CohortHandler(AuthenticatedHandler):
    """One cohort for its teacher: its learners and where each of them stands."""

    async def get(self, name: str) -> None:
        not_found = f"No cohort {name!r}."
        if not self.access.may_teach(name):
            raise APIError(404, not_found)
        try:
            cohort = await self.service.identity.hub.cohort(name)
        except AuthError as exc:
            raise APIError(exc.status, not_found if exc.status == 404 else exc.message) from None
        records = await self.service.storage.progress_of_users(list(cohort.members))
        learners = []
        for learner in cohort.members:
            mine = records.get(learner, [])
            learners.append(
                {
                    "user": learner,
                    "solved": sum(1 for r in mine if r.get("first_solved_at") is not None),
                    "attempts": sum(r.get("attempts", 0) for r in mine),
                    "total_score": sum(r.get("best_score", 0) for r in mine),
                    "problems": {
                        r["problem_id"]: {
                            "attempts": r.get("attempts", 0),
                            "best_score": r.get("best_score", 0),
                            "max_score": r.get("max_score", 0),
                            "solved": r.get("first_solved_at") is not None,
                        }
                        for r in mine
                    },
                }
            )
        self.write_json({**cohort.public(), "learners": learners})


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    (r"api/me/?", MeHandler),
    (r"api/users/([^/]+)/progress/?", LearnerProgressHandler),
    (r"api/users/([^/]+)/submissions/?", LearnerSubmissionsHandler),
    (r"api/cohorts/?", CohortsHandler),
    (r"api/cohorts/([^/]+)/?", CohortHandler),
]
