"""What a learner uses while practising: hints revealed one at a time, the public tests
for a practice check in their own container, and the cheatsheets.

Hints are counted in the problem view and given out here one by one; each reveal is
recorded with its time, so a teacher can see who needed which hint. Public tests are
public by definition (the learner sees their messages anyway); hidden tests, solutions
and expected values never leave the content folder.
"""

from __future__ import annotations

import base64

from tornado import web

from ..content.store import Problem
from .handlers import APIError, AuthenticatedHandler, BaseHandler


class HintsHandler(AuthenticatedHandler):
    async def get(self, problem_id: str) -> None:
        """The hints the caller has revealed so far."""
        problem = await self.open_problem(problem_id)
        revealed = await self.service.storage.hints_revealed(self.user_name, problem.id)
        self.write_hints(problem, revealed)

    async def post(self, problem_id: str) -> None:
        """Reveal the next hint (once all are shown, the same list again)."""
        problem = await self.open_problem(problem_id)
        revealed = 0
        if problem.hints:
            revealed = await self.service.storage.reveal_hint(
                self.user_name, problem.id, len(problem.hints)
            )
        self.write_hints(problem, revealed)

    def write_hints(self, problem: Problem, revealed: int) -> None:
        self.write_json({"revealed": list(problem.hints[:revealed]), "total": len(problem.hints)})


class PublicChecksHandler(AuthenticatedHandler):
    async def get(self, problem_id: str) -> None:
        """The public tests and data files, for a practice check run by the learner's own
        server (``extension/checks.py``); a check never touches progress."""
        problem = await self.open_problem(problem_id)
        self.write_json(
            {
                "problem_id": problem.id,
                **problem.public_checks(),
                "time_limit_seconds": problem.time_limit_seconds,
                "data": {
                    name: base64.b64encode(data).decode("ascii")
                    for name, data in problem.data().items()
                },
            }
        )


class CheatsheetsHandler(AuthenticatedHandler):
    def get(self) -> None:
        sheets = self.service.content.cheatsheets.values()
        self.write_json({"cheatsheets": [c.summary() for c in sheets]})


class CheatsheetHandler(AuthenticatedHandler):
    def get(self, sheet_id: str) -> None:
        sheet = self.service.content.cheatsheets.get(sheet_id)
        if sheet is None:
            raise APIError(404, f"No cheatsheet {sheet_id!r}.")
        self.write_json(sheet.public())


ROUTES: list[tuple[str, type[BaseHandler] | type[web.RequestHandler]]] = [
    (r"api/problems/([^/]+)/hints/?", HintsHandler),
    (r"api/problems/([^/]+)/checks/?", PublicChecksHandler),
    (r"api/cheatsheets/?", CheatsheetsHandler),
    (r"api/cheatsheets/([^/]+)/?", CheatsheetHandler),
]
