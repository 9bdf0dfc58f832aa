"""A class leaderboard: off unless a teacher switches it on, and only under names the
teacher chose.

Children are shown to each other only inside their own class, only when their teacher
wants it, and only under a display name the teacher picked (a learner without one is
not on the board, and sees no place of their own). Points are the sum of each learner's
best scores; a streak is the number of days in a row, up to today, on which they solved
a problem (a streak still counts on a day they have not solved anything yet).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

TOP = 10
NAME = re.compile(r"^[\w][\w .'-]{0,29}$")


class LeaderboardError(ValueError):
    pass


def check_names(names: Any, members: Iterable[str]) -> dict[str, str]:
    """The display names a teacher sent: learner → name, 1-30 letters, digits, spaces
    or ``.'-``, each used once. Empty names are dropped (that learner is left off)."""
    if not isinstance(names, Mapping):
        raise LeaderboardError("'names' must map learners to display names.")
    allowed = set(members)
    clean: dict[str, str] = {}
    for learner, name in names.items():
        if learner not in allowed:
            raise LeaderboardError(f"No learner {learner!r} in this class.")
        if not isinstance(name, str):
            raise LeaderboardError(f"The name for {learner!r} must be text.")
        name = " ".join(name.split())
        if not name:
            continue
        if not NAME.match(name):
            raise LeaderboardError(
                f"{name!r}: use 1-30 letters, digits, spaces or . ' - (no other signs)."
            )
        clean[learner] = name
    if len(set(clean.values())) != len(clean):
        raise LeaderboardError("Each display name may be used once.")
    return clean


def streak(days: set[dt.date], today: dt.date) -> int:
    day = today if today in days else today - dt.timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def board(
    names: Mapping[str, str],
    progress: Mapping[str, Sequence[Mapping[str, Any]]],
    solved_on: Mapping[str, set[dt.date]],
    today: dt.date,
) -> list[dict[str, Any]]:
    """Every named learner's row, best first (ties share a rank), with ``learner``."""
    rows: list[dict[str, Any]] = [
        {
            "learner": learner,
            "name": name,
            "points": round(
                sum(float(r.get("best_score", 0)) for r in progress.get(learner, [])), 2
            ),
            "streak": streak(solved_on.get(learner, set()), today),
        }
        for learner, name in names.items()
    ]
    rows.sort(key=lambda r: (-r["points"], -r["streak"], r["name"].lower()))
    rank = 0
    for i, row in enumerate(rows):
        if i == 0 or row["points"] != rows[i - 1]["points"]:
            rank = i + 1
        row["rank"] = rank
    return rows


def view_for(learner: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What one learner sees: the top rows (their own marked) and their own row."""

    def public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in ("rank", "name", "points", "streak")} | {
            "me": row["learner"] == learner
        }

    mine = next((public(r) for r in rows if r["learner"] == learner), None)
    if mine is not None:
        mine.pop("me")
    return {"rows": [public(r) for r in rows[:TOP]], "me": mine}
