"""Cohort teachers, graders and admins as JupyterHub groups and roles (hub_config/roles.py)."""

from __future__ import annotations

import re

from grading_service.edge.access import ADMIN, GRADE, TEACH
from hub_config.roles import custom_scopes, groups, roles

# JupyterHub's rule for role names (jupyterhub/roles.py)
ROLE_NAME = re.compile(r"^[a-z][a-z0-9\-_~\.]{1,253}[a-z0-9]$")


def test_each_cohort_has_a_teachers_group_whose_role_is_filtered_to_the_cohort() -> None:
    by_name = {role["name"]: role for role in roles(["7a", "7b"], ["head"])}
    teacher = by_name["teacher-7a"]
    assert teacher["groups"] == ["7a-teachers"]
    assert f"{TEACH}!group=7a" in teacher["scopes"]
    assert all("7b" not in scope for scope in teacher["scopes"])
    assert all("!group=7a" in s or s.startswith("access:services") for s in teacher["scopes"])
    assert by_name["grader"]["groups"] == ["graders"] and GRADE in by_name["grader"]["scopes"]
    assert by_name["coderunner-admin-users"]["users"] == ["head"]
    assert ADMIN in by_name["coderunner-admin-users"]["scopes"]
    assert all(ROLE_NAME.match(name) for name in by_name)


def test_groups_exist_without_touching_membership() -> None:
    assert groups(["7a"]) == {"graders": {}, "7a": {}, "7a-teachers": {}}


def test_custom_scopes_are_described() -> None:
    scopes = custom_scopes()
    assert set(scopes) == {TEACH, GRADE, ADMIN}
    assert all(len(spec["description"]) > 20 for spec in scopes.values())
