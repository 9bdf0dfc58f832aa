"""Cohort settings in backups: the hub's groups, their members and their properties.

Cohorts are JupyterHub groups, and their settings (display name, track, limits, time
zone, the learners' container limits) live in the group's properties in the hub's own
database, not in the grading service's (``grading_service/edge/cohorts.py``). So
``coderunner backup`` also reads every group through the hub's REST API and stores them
in the backup file beside the collections, as ``hub:groups``; ``coderunner restore
--hub`` puts them back: it creates missing groups, sets their properties and adds their
members, skipping members the hub no longer knows (say, a learner erased since).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .people import Hub, HubError

COLLECTION = "hub:groups"
PAGE = 200


async def read_groups(hub: Hub) -> list[dict[str, Any]]:
    """Every group of the hub as ``{"name", "users", "properties"}``, by name."""
    groups: list[dict[str, Any]] = []
    offset = 0
    while True:
        status, page = await asyncio.to_thread(
            hub._request, "GET", f"/groups?offset={offset}&limit={PAGE}"
        )
        if status != 200 or not isinstance(page, list):
            raise HubError(f"GET /groups answered {status}")
        for group in page:
            groups.append(
                {
                    "name": group["name"],
                    "users": sorted(group.get("users") or []),
                    "properties": group.get("properties") or {},
                }
            )
        if len(page) < PAGE:
            break
        offset += len(page)
    return sorted(groups, key=lambda g: g["name"])


@dataclass
class GroupsRestored:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    members_added: int = 0
    unknown_members: list[str] = field(default_factory=list)


async def restore_groups(hub: Hub, groups: list[dict[str, Any]]) -> GroupsRestored:
    """Create or update each group as it was backed up (properties replaced, members
    added; members added since the backup stay)."""
    done = GroupsRestored()
    for group in groups:
        path = f"/groups/{quote(group['name'], safe='')}"
        status, _ = await asyncio.to_thread(hub._request, "POST", path, {})
        if status in (200, 201):
            done.created.append(group["name"])
        elif status == 409:  # exists already
            done.updated.append(group["name"])
        else:
            raise HubError(f"POST /groups/<name> answered {status}")
        status, _ = await asyncio.to_thread(
            hub._request, "PUT", f"{path}/properties", group.get("properties") or {}
        )
        if status != 200:
            raise HubError(f"PUT /groups/<name>/properties answered {status}")
        for user in group.get("users") or []:
            status, _ = await asyncio.to_thread(
                hub._request, "POST", f"{path}/users", {"users": [user]}
            )
            if status == 200:
                done.members_added += 1
            elif status in (400, 404):  # no such user any more
                done.unknown_members.append(user)
            else:
                raise HubError(f"POST /groups/<name>/users answered {status}")
    return done
