"""Assessments: a set of problems a class answers within a window, with limited attempts.

A teacher sets one up for a cohort on the dashboard: a title, the problems, when it
opens and closes, and how many attempts each problem allows. While it is open, a
learner may submit a problem *for the assessment*; the submission is recorded against it
and uses one attempt. Before it opens and after it closes, such submissions are refused
with a message that says so; practising the same problems is never affected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

State = Literal["upcoming", "open", "closed"]
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ATTEMPTS = 100
MAX_PROBLEMS = 50


class AssessmentError(ValueError):
    """A request about an assessment that cannot be honoured: the status and the message
    for the learner or teacher."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Assessment:
    id: str
    title: str
    cohort: str
    problems: tuple[str, ...]
    opens_at: dt.datetime
    closes_at: dt.datetime
    max_attempts: int
    created_by: str = ""

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Assessment:
        return cls(
            doc["_id"],
            doc["title"],
            doc["cohort"],
            tuple(doc["problems"]),
            _aware(doc["opens_at"]),
            _aware(doc["closes_at"]),
            int(doc["max_attempts"]),
            doc.get("created_by", ""),
        )

    def as_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "title": self.title,
            "cohort": self.cohort,
            "problems": list(self.problems),
            "opens_at": self.opens_at,
            "closes_at": self.closes_at,
            "max_attempts": self.max_attempts,
            "created_by": self.created_by,
        }

    def state(self, now: dt.datetime) -> State:
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

    def public(self, now: dt.datetime, attempts: Mapping[str, int] | None = None) -> dict:
        """What a learner of the cohort sees, with their own attempts used."""
        state = self.state(now)
        return {
            "id": self.id,
            "title": self.title,
            "cohort": self.cohort,
            "problems": list(self.problems),
            "opens_at": self.opens_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
            "max_attempts": self.max_attempts,
            "state": state,
            "seconds_to_open": round((self.opens_at - now).total_seconds())
            if state == "upcoming"
            else None,
            "seconds_left": round((self.closes_at - now).total_seconds())
            if state == "open"
            else None,
            "attempts": dict(attempts or {}),
        }

    def check_open(self, problem_id: str, now: dt.datetime) -> None:
        """Raise AssessmentError unless ``problem_id`` may be submitted for it now."""
        if problem_id not in self.problems:
            raise AssessmentError(404, f"{problem_id!r} is not part of {self.title}.")
        state = self.state(now)
        if state == "upcoming":
            raise AssessmentError(
                409,
                f"{self.title} opens in {_duration(self.opens_at - now)}. You can practise "
                "this problem until then.",
            )
        if state == "closed":
            raise AssessmentError(
                409,
                f"{self.title} is closed: your answer was not recorded. You can still practise "
                "this problem.",
            )


def parse(body: Mapping[str, Any], *, cohort: str, known_problems: set[str], by: str) -> Assessment:
    """An assessment from a teacher's request; AssessmentError(400) says what is wrong."""
    problems_found: list[str] = []

    def fail(message: str) -> AssessmentError:
        return AssessmentError(400, message)

    ident = body.get("id")
    if not isinstance(ident, str) or not ID.match(ident):
        raise fail(
            "'id' must be 1-64 characters a-z, 0-9, '-' or '_', starting with a letter or digit."
        )
    title = body.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 120:
        raise fail("'title' must be a name of 1-120 characters.")
    problems = body.get("problems")
    if not isinstance(problems, list) or not problems or len(problems) > MAX_PROBLEMS:
        raise fail(f"'problems' must list 1-{MAX_PROBLEMS} problem ids.")
    for problem in problems:
        if not isinstance(problem, str) or problem not in known_problems:
            raise fail(f"No problem {problem!r}.")
        if problem not in problems_found:
            problems_found.append(problem)
    opens_at, closes_at = (
        _time(body.get("opens_at"), "opens_at"),
        _time(body.get("closes_at"), "closes_at"),
    )
    if closes_at <= opens_at:
        raise fail("'closes_at' must be after 'opens_at'.")
    attempts = body.get("max_attempts")
    if (
        isinstance(attempts, bool)
        or not isinstance(attempts, int)
        or not 1 <= attempts <= MAX_ATTEMPTS
    ):
        raise fail(f"'max_attempts' must be a whole number from 1 to {MAX_ATTEMPTS}.")
    return Assessment(
        ident, title.strip(), cohort, tuple(problems_found), opens_at, closes_at, attempts, by
    )


def _time(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise AssessmentError(400, f"'{name}' must be a date and time (ISO 8601).")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise AssessmentError(400, f"'{name}' must be a date and time (ISO 8601).") from None
    if parsed.tzinfo is None:
        raise AssessmentError(400, f"'{name}' needs a time zone (e.g. 2027-03-01T09:00+01:00).")
    return parsed.astimezone(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _duration(delta: dt.timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60} min"
    return f"{hours // 24} days"
