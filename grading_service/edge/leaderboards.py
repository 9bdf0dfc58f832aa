"""The class leaderboard as a learner sees it (``grading_service/leaderboard.py`` has the
rules): only their own classes, only when a teacher switched it on, only named learners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import leaderboard
from ..storage import Storage
from .handlers import AuthenticatedHandler, BaseHandler


async def rows_of(storage: Storage, names: dict[str, str]) -> list[dict[str, Any]]:
    """Every named learner's row of one board, best first."""
    learners = list(names)
    progress = await storage.progress_of_users(learners)
    solved_at = await storage.solved_at(learners)
    solved_on = {
        learner: {moment.astimezone(dt.UTC).date() for moment in solved_at.get(learner, [])}
        for learner in learners
    }
    return leaderboard.board(names, progress, solved_on, dt.datetime.now(dt.UTC).date())


class LeaderboardHandler(AuthenticatedHandler):
    async def get(self) -> None:
        groups = list(self.user_model.get("groups") or ())
        storage = self.service.storage
        boards = []
        for doc in await storage.leaderboards_on(groups):
            try:
                cohort = await self.service.identity.hub.cohort(doc["_id"])
                display = cohort.display_name
            except Exception:  # noqa: BLE001 - the name is a nicety; the board still shows
                display = doc["_id"]
            rows = await rows_of(storage, dict(doc.get("names") or {}))
            boards.append(
                {"cohort": doc["_id"], "display_name": display}
                | leaderboard.view_for(self.user_name, rows)
            )
        self.write_json({"boards": boards})


ROUTES: list[tuple[str, type[BaseHandler]]] = [(r"api/leaderboard/?", LeaderboardHandler)]
