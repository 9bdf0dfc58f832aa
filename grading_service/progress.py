"""A learner's progress as they see it: points, solved problems per track, streaks and
the problem to try next.

Pure functions over what storage holds (progress records, the days a problem was
solved) and the content's levels, so every rule here is tested without a database.
Progress records are written only by the grading service from its own verdicts (trust
rule 4); nothing here trusts a client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .content.store import ContentStore, LevelState
from .leaderboard import streak

DEFAULT_TIME_ZONE = "UTC"


def zone(name: str | None) -> ZoneInfo:
    """A time zone by IANA name; UTC for an unknown or missing name."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_days(moments: Iterable[dt.datetime], time_zone: ZoneInfo) -> set[dt.date]:
    """The calendar days, in the cohort's time zone, on which these moments fell."""
    days = set()
    for moment in moments:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        days.add(moment.astimezone(time_zone).date())
    return days


def best_streak(days: set[dt.date]) -> int:
    """The longest run of consecutive days."""
    best = 0
    for day in days:
        if day - dt.timedelta(days=1) in days:
            continue  # not the start of a run
        length = 1
        while day + dt.timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best


def points(value: float) -> float | int:
    """Whole points, or one decimal at most (``1.6666`` → ``1.7``)."""
    rounded = round(float(value), 1)
    return int(rounded) if rounded == int(rounded) else rounded


def problem_state(record: Mapping[str, Any] | None) -> str:
    if record is None:
        return "open"
    if record.get("first_solved_at") is not None:
        return "solved"
    return "attempted" if record.get("attempts", 0) else "open"


def learner_track(
    content: ContentStore, records: Sequence[Mapping[str, Any]], cohort_track: str | None
) -> str | None:
    """The track to recommend from: the cohort's, else the one last worked on, else the
    first."""
    known = {t.id for t in content.tracks}
    if cohort_track in known:
        return cohort_track
    latest = max(
        (r for r in records if r.get("problem_id") in content.problems),
        key=lambda r: r.get("updated_at") or dt.datetime.min.replace(tzinfo=dt.UTC),
        default=None,
    )
    if latest is not None:
        return content.problems[latest["problem_id"]].track
    return content.tracks[0].id if content.tracks else None


def next_problem(
    content: ContentStore,
    states: Sequence[LevelState],
    records: Mapping[str, Mapping[str, Any]],
    track: str | None,
) -> dict[str, Any] | None:
    """The first unsolved problem of an open level, the learner's track first; among
    them, one already started before one never tried."""
    order = [t.id for t in content.tracks]
    if track in order:
        order.remove(track)
        order.insert(0, track)
    for track_id in order:
        for state in (s for s in states if s.level.track == track_id and s.unlocked):
            unsolved = [
                pid
                for pid in state.level.problem_ids
                if problem_state(records.get(pid)) != "solved"
            ]
            if unsolved:
                started = [
                    pid for pid in unsolved if problem_state(records.get(pid)) == "attempted"
                ]
                problem = content.problems[(started or unsolved)[0]]
                return {
                    "problem_id": problem.id,
                    "title": problem.title,
                    "track": problem.track,
                    "level": problem.level,
                }
    return None


def learner_progress(
    user: str,
    records: Sequence[Mapping[str, Any]],
    content: ContentStore,
    *,
    solved_at: Iterable[dt.datetime] = (),
    time_zone: str | None = None,
    cohort_track: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The whole progress view: per problem, per level and per track, with streaks
    (days in a row with a problem solved, in the cohort's time zone) and the next
    problem to try."""
    tz = zone(time_zone)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
    by_id = {r["problem_id"]: r for r in records}
    problems = [
        {
            "problem_id": rec["problem_id"],
            "attempts": rec.get("attempts", 0),
            "best_score": points(rec.get("best_score", 0)),
            "max_score": rec.get("max_score", 0),
            "solved": rec.get("first_solved_at") is not None,
            "first_solved_at": rec.get("first_solved_at"),
            "state": problem_state(rec),
        }
        for rec in records
    ]
    solved = {p["problem_id"] for p in problems if p["solved"]}
    states = content.level_states(solved)
    total = sum(float(r.get("best_score", 0)) for r in records)
    tracks = []
    for track in content.tracks:
        ids = [pid for level in track.levels for pid in level.problem_ids]
        tracks.append(
            {
                "track": track.id,
                "solved": sum(1 for pid in ids if pid in solved),
                "total": len(ids),
                "points": points(
                    sum(float(by_id[pid].get("best_score", 0)) for pid in ids if pid in by_id)
                ),
            }
        )
    days = local_days(solved_at, tz)
    return {
        "user": user,
        "problems": problems,
        "levels": [s.public() for s in states],
        "solved": len(solved),
        "total_score": points(total),
        "points": points(total),
        "tracks": tracks,
        "streak": {
            "current": streak(days, today),
            "best": best_streak(days),
            "today": today in days,
            "time_zone": tz.key,
        },
        "next": next_problem(content, states, by_id, learner_track(content, records, cohort_track)),
    }
