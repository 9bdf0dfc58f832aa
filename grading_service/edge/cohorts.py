"""Cohorts as the grading service sees them: JupyterHub groups and their properties.

An admin sets a cohort's settings in the group's properties (hub admin UI, or
``PUT /hub/api/groups/<name>/properties``), under one key::

    {"coderunner": {"display_name": "Class 7A", "track": "ages-11-14",
                    "rate_per_minute": 20, "daily_quota": 500,
                    "time_zone": "Europe/London",
                    "mem_limit": "2G", "cpu_limit": 2}}

``mem_limit`` and ``cpu_limit`` are read by the hub at spawn (``hub_config/cohorts.py``);
the rest here. A malformed value is ignored and reported, never fatal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROPERTY = "coderunner"
LIMIT_KEYS = ("rate_per_minute", "daily_quota")
# A typo must not switch a cohort's limits off (0 means unlimited) or to absurd values.
MAX_LIMIT = 100_000


@dataclass(frozen=True)
class Cohort:
    name: str
    display_name: str
    track: str | None = None
    limits: Mapping[str, int] | None = None
    members: tuple[str, ...] = ()
    # Whether the group has Code Runner settings at all: groups without them (a role's
    # group such as "7a-teachers", an exam room's limits) are not shown to learners.
    configured: bool = False
    # IANA name (e.g. "Europe/London"): the day a streak counts in; None means UTC.
    time_zone: str | None = None

    def public(self) -> dict[str, Any]:
        """What a learner in the cohort may know of it."""
        return {"name": self.name, "display_name": self.display_name, "track": self.track}

    def listing(self) -> dict[str, Any]:
        """What its teachers see in a list of cohorts."""
        return {**self.public(), "learners": len(self.members)}


def _known_zone(name: Any) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def cohort_from_group(model: Mapping[str, Any]) -> tuple[Cohort, list[str]]:
    """A hub group model as a cohort, and the problems found in its settings."""
    name = str(model.get("name", ""))
    properties = model.get("properties")
    settings = properties.get(PROPERTY) if isinstance(properties, Mapping) else None
    problems: list[str] = []
    if settings is not None and not isinstance(settings, Mapping):
        problems.append(f"{PROPERTY} {settings!r} (must be an object)")
        settings = None
    settings = settings or {}
    display_name = settings.get("display_name", name)
    if not isinstance(display_name, str) or not display_name.strip():
        problems.append(f"display_name {display_name!r}")
        display_name = name
    track = settings.get("track")
    if track is not None and not (isinstance(track, str) and track):
        problems.append(f"track {track!r}")
        track = None
    limits: dict[str, int] = {}
    for key in LIMIT_KEYS:
        if key not in settings:
            continue
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LIMIT:
            problems.append(f"{key} {value!r} (a whole number from 0, unlimited, to {MAX_LIMIT})")
        else:
            limits[key] = value
    time_zone = settings.get("time_zone")
    if time_zone is not None and not _known_zone(time_zone):
        problems.append(f"time_zone {time_zone!r} (an IANA name such as 'Europe/London')")
        time_zone = None
    members = tuple(str(u) for u in model.get("users") or () if isinstance(u, str))
    cohort = Cohort(
        name,
        display_name.strip(),
        track,
        limits or None,
        members,
        configured=bool(settings),
        time_zone=time_zone,
    )
    return cohort, problems
