"""Who may do what: cohorts, teachers, graders and admins as JupyterHub groups and roles.

A cohort is a JupyterHub group. For each cohort named in ``CODERUNNER_COHORTS`` the hub
also has a group ``<cohort>-teachers`` and a role that lets that group's members read
the cohort's learners in the grading service (``custom:coderunner:teach!group=<cohort>``).
So an admin makes someone a teacher of 7A by adding them to ``7a-teachers`` in the hub's
admin page; no restart is needed. Adding a cohort needs a line in the settings and a
restart, because JupyterHub loads roles at start.

Members of the ``graders`` group may batch-grade; the users in
``CODERUNNER_ADMIN_USERS`` manage the grading service. The grading service enforces all
of it on every endpoint (``grading_service/edge/access.py``).
"""

from __future__ import annotations

from typing import Any

from grading_service.edge.access import ADMIN, GRADE, SCOPE_DESCRIPTIONS, TEACH

GRADERS_GROUP = "graders"
ACCESS_GRADER = "access:services!service=grader"


def teachers_group(cohort: str) -> str:
    return f"{cohort}-teachers"


def custom_scopes() -> dict[str, dict[str, str]]:
    return {scope: {"description": text} for scope, text in SCOPE_DESCRIPTIONS.items()}


def groups(cohorts: list[str]) -> dict[str, dict[str, Any]]:
    """``load_groups``: each cohort, its teachers' group and the graders' group exist
    (membership is managed in the admin page; nothing here removes anyone)."""
    out: dict[str, dict[str, Any]] = {GRADERS_GROUP: {}}
    for cohort in cohorts:
        out[cohort] = {}
        out[teachers_group(cohort)] = {}
    return out


def roles(cohorts: list[str], admin_users: list[str]) -> list[dict[str, Any]]:
    """``load_roles`` entries for teachers, graders and admins of the grading service."""
    out: list[dict[str, Any]] = []
    for cohort in cohorts:
        out.append(
            {
                "name": f"teacher-{cohort}",
                "description": f"Teachers of cohort {cohort}: read its learners' work",
                "scopes": [
                    f"{TEACH}!group={cohort}",
                    f"read:users!group={cohort}",
                    f"read:groups!group={cohort}",
                    ACCESS_GRADER,
                ],
                "groups": [teachers_group(cohort)],
            }
        )
    out.append(
        {
            "name": "grader",
            "description": "Batch assessment on the grading service",
            "scopes": [GRADE, ACCESS_GRADER],
            "groups": [GRADERS_GROUP],
        }
    )
    out.append(
        {
            "name": "coderunner-admin-users",
            "description": "Manage the grading service for every cohort",
            "scopes": [ADMIN, ACCESS_GRADER],
            "users": list(admin_users),
        }
    )
    return out
