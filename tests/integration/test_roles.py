"""Roles through the real JupyterHub: cohorts are hub groups, a teacher is a member of
``<cohort>-teachers``, and the grading service enforces what the hub's scopes say, on
every endpoint, at ``/services/grader/``. Nobody here needs a running server: tokens
go straight to the grading service, as the extension's do."""

from __future__ import annotations

import asyncio

import pytest

from grading_service.edge.access import TEACH
from hub_config.devstack import Stack

from ..conftest import hub_api, hub_request

WRONG = "def add(a, b):\n    return a - b\n"
PEOPLE = {
    "rolex-teacher": ["class-x-teachers"],
    "rolex-learner": ["class-x"],
    "roley-learner": ["class-y"],
    "roley-teacher": ["class-y-teachers"],
}


def grader(stack: Stack, method: str, path: str, token: str, body: dict | None = None):
    """A call to the grading API behind the hub's proxy."""
    return hub_request(stack, method, f"/services/grader/api/{path}", token, body)


@pytest.fixture(scope="module")
def school(hub_stack: Stack, verdict_of) -> dict[str, str]:
    """Two cohorts with a teacher and a learner each (made through the hub's REST API, as
    an admin would in the admin page); everyone's token; one graded submission by the
    learner of class X (``tokens["submission"]``)."""
    # Set before the grading service first looks the cohort up (it caches groups).
    status, body = hub_api(
        hub_stack,
        "PUT",
        "/groups/class-y/properties",
        {"coderunner": {"display_name": "Class Y", "track": "ages-12-14", "daily_quota": 7}},
    )
    assert status == 200, body
    tokens = {}
    for name, groups in PEOPLE.items():
        status, _ = hub_api(hub_stack, "POST", f"/users/{name}")
        assert status in (201, 409)
        for group in groups:
            status, body = hub_api(hub_stack, "POST", f"/groups/{group}/users", {"users": [name]})
            assert status == 200, body
        # No scopes asked: the token carries what the user's roles grant.
        status, token = hub_api(hub_stack, "POST", f"/users/{name}/tokens", {"note": "roles"})
        assert status == 201, token
        tokens[name] = token["token"]
    status, body = grader(
        hub_stack,
        "POST",
        "submissions",
        tokens["rolex-learner"],
        {"problem_id": "add-two", "code": WRONG},
    )
    assert status == 202, body
    result = asyncio.run(
        verdict_of(f"{hub_stack.hub_url}/services/grader", body["id"], tokens["rolex-learner"])
    )
    tokens["submission"] = result["id"]
    return tokens


def test_the_hub_grants_a_teacher_the_scope_filtered_to_their_cohort(hub_stack, school):
    status, me = grader(hub_stack, "GET", "me", school["rolex-teacher"])
    assert status == 200 and me["teaches"] == ["class-x"], me
    status, model = hub_api(hub_stack, "GET", "/user", token=school["rolex-teacher"])
    assert f"{TEACH}!group=class-x" in model["scopes"]
    assert not any("class-y" in scope for scope in model["scopes"])


def test_a_learner_cannot_read_another_learner_through_any_endpoint(hub_stack, school):
    stranger = school["roley-learner"]
    for path in [
        "users/rolex-learner/progress",
        "users/rolex-learner/submissions",
        f"submissions/{school['submission']}",
    ]:
        status, body = grader(hub_stack, "GET", path, stranger)
        assert status == 404, (path, body)
    status, body = grader(hub_stack, "GET", "progress", stranger)
    assert status == 200 and body["user"] == "roley-learner" and body["problems"] == []


def test_a_teacher_of_x_sees_x_and_not_y(hub_stack, school):
    teacher = school["rolex-teacher"]
    status, cohort = grader(hub_stack, "GET", "cohorts/class-x", teacher)
    assert status == 200
    rows = {row["user"]: row for row in cohort["learners"]}
    assert rows["rolex-learner"]["attempts"] == 1
    assert "roley-learner" not in rows
    status, one = grader(hub_stack, "GET", f"submissions/{school['submission']}", teacher)
    assert status == 200 and one["user"] == "rolex-learner" and one["code"] == WRONG
    status, _ = grader(hub_stack, "GET", "users/rolex-learner/submissions", teacher)
    assert status == 200
    for path in ["cohorts/class-y", "users/roley-learner/progress"]:
        status, _ = grader(hub_stack, "GET", path, teacher)
        assert status == 404, path
    status, listed = grader(hub_stack, "GET", "cohorts", teacher)
    assert [c["name"] for c in listed["cohorts"]] == ["class-x"]
    # and the other way round
    status, _ = grader(
        hub_stack, "GET", f"submissions/{school['submission']}", school["roley-teacher"]
    )
    assert status == 404


def test_a_learner_with_a_teachers_url_gets_404(hub_stack, school):
    learner = school["rolex-learner"]
    for path in ["cohorts/class-x", "users/rolex-teacher/progress"]:
        status, _ = grader(hub_stack, "GET", path, learner)
        assert status == 404, path
    status, body = grader(hub_stack, "GET", "cohorts", learner)
    assert status == 200 and body["cohorts"] == []


def test_cohort_properties_set_in_the_hub_reach_the_grading_service(hub_stack, school):
    status, me = grader(hub_stack, "GET", "me", school["roley-learner"])
    assert status == 200
    assert me["cohorts"] == [{"name": "class-y", "display_name": "Class Y", "track": "ages-12-14"}]
    assert me["limits"]["daily_quota"] == 7
