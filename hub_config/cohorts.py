"""Per-cohort settings for learners' servers, from JupyterHub group properties.

A cohort is a JupyterHub group. An admin gives one more room through the group's
properties (hub admin UI, or ``PUT /hub/api/groups/<name>/properties``)::

    {"coderunner": {"mem_limit": "2G", "cpu_limit": 2}}

At spawn, a learner in several cohorts gets the most generous value of each setting.
Values are checked; a malformed one is logged and ignored, never fatal to the spawn.
"""

from __future__ import annotations

import re
from typing import Any

PROPERTY = "coderunner"
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", re.IGNORECASE)
# Ceilings, so a typo in a property cannot hand one learner the whole machine.
MAX_MEMORY_BYTES = 16 * 1024**3
MAX_CPUS = 8.0


def memory_bytes(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = MEMORY.match(str(value))
    if not match:
        return None
    return int(float(match.group(1)) * UNITS[match.group(2).upper()])


def cohort_overrides(properties: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The overrides for a learner whose groups have these properties, and the problems
    found (each malformed value)."""
    memory: int | None = None
    cpus: float | None = None
    problems = []
    for props in properties:
        settings = props.get(PROPERTY) if isinstance(props, dict) else None
        if not isinstance(settings, dict):
            continue
        if "mem_limit" in settings:
            value = memory_bytes(settings["mem_limit"])
            if value is None or not 0 < value <= MAX_MEMORY_BYTES:
                problems.append(f"mem_limit {settings['mem_limit']!r}")
            else:
                memory = max(memory or 0, value)
        if "cpu_limit" in settings:
            try:
                value_cpu = float(settings["cpu_limit"])
            except (TypeError, ValueError):
                value_cpu = 0.0
            if not 0 < value_cpu <= MAX_CPUS:
                problems.append(f"cpu_limit {settings['cpu_limit']!r}")
            else:
                cpus = max(cpus or 0.0, value_cpu)
    overrides: dict[str, Any] = {}
    if memory is not None:
        overrides["mem_limit"] = memory
    if cpus is not None:
        overrides["cpu_limit"] = cpus
    return overrides, problems


def apply_cohort_overrides(spawner: Any) -> None:
    """``Spawner.pre_spawn_hook``: raise this learner's limits as their cohorts say."""
    groups = getattr(spawner.user, "groups", [])
    overrides, problems = cohort_overrides([getattr(g, "properties", {}) or {} for g in groups])
    for problem in problems:
        spawner.log.warning("ignoring cohort setting %s for %s", problem, spawner.user.name)
    for name, value in overrides.items():
        setattr(spawner, name, value)
    mem = overrides.get("mem_limit")
    if mem is not None and isinstance(getattr(spawner, "extra_host_config", None), dict):
        # Swap stays equal to memory, as for everyone else.
        spawner.extra_host_config = {**spawner.extra_host_config, "memswap_limit": mem}
