"""Assessments as a learner sees them: their cohorts' assessments, open or not, with the
attempts they have used (``grading_service/assessments.py`` has the rules)."""

from __future__ import annotations

import datetime as dt

from ..assessments import Assessment
from .handlers import AuthenticatedHandler, BaseHandler


class AssessmentsHandler(AuthenticatedHandler):
    async def get(self) -> None:
        groups = list(self.user_model.get("groups") or ())
        storage = self.service.storage
        now = dt.datetime.now(dt.UTC)
        listed = []
        for doc in await storage.assessments_of(groups):
            assessment = Assessment.from_doc(doc)
            used = await storage.attempts_used(assessment.id, self.user_name)
            listed.append(assessment.public(now, used))
        self.write_json({"assessments": listed})


ROUTES: list[tuple[str, type[BaseHandler]]] = [(r"api/assessments/?", AssessmentsHandler)]
