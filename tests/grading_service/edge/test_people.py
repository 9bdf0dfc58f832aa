"""Who may read whose data (edge/people.py and the checks in edge/handlers.py), in-process
with the real Redis, MongoDB-protocol server and sandboxes; the hub's answers about tokens
and groups come from memory. tests/integration/test_roles.py does it through JupyterHub."""

from __future__ import annotations

import pytest

from grading_service.edge.access import ADMIN, TEACH

from ..api import WRONG_ADD, call


@pytest.fixture
async def school(make_service, verdict_of):
    """Class A (alice, bob) taught by ms-a; class B (carol) taught by ms-b; head is an
    admin. Alice has one graded submission."""
    app = await make_service()
    hub = app.hub_auth
    hub.members = {"class-a": ["alice", "bob"], "class-b": ["carol"]}
    hub.groups = {"alice": ["class-a"], "bob": ["class-a"], "carol": ["class-b"]}
    hub.user_scopes = {
        "ms-a": [f"{TEACH}!group=class-a"],
        "ms-b": [f"{TEACH}!group=class-b"],
        "head": [ADMIN],
    }
    code, body, _ = await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": WRONG_ADD}
    )
    assert code == 202
    app.alice_submission = (await verdict_of(app.base, body["id"], "alice-token"))["id"]
    return app


ALICE_PATHS = [
    "/api/users/alice/progress",
    "/api/users/alice/submissions",
]


async def test_a_learner_cannot_read_another_learners_data_through_any_endpoint(school) -> None:
    paths = [*ALICE_PATHS, f"/api/submissions/{school.alice_submission}", "/api/cohorts/class-a"]
    for path in paths:
        code, body, _ = await call(school, "GET", path, token="bob-token")
        assert code == 404, (path, body)
        assert "alice" not in body["message"] or "No learner" in body["message"]
    code, body, _ = await call(school, "GET", "/api/cohorts", token="bob-token")
    assert code == 200 and body["cohorts"] == []


async def test_a_foreign_learner_and_an_unknown_one_look_alike(school) -> None:
    foreign = await call(school, "GET", "/api/users/alice/progress", token="carol-token")
    unknown = await call(school, "GET", "/api/users/nobody/progress", token="carol-token")
    assert foreign[0] == unknown[0] == 404
    assert foreign[1]["message"].replace("alice", "X") == unknown[1]["message"].replace(
        "nobody", "X"
    )


async def test_learners_read_their_own_data_at_the_teachers_urls(school) -> None:
    for path in ALICE_PATHS:
        code, _, _ = await call(school, "GET", path, token="alice-token")
        assert code == 200, path
    _, history, _ = await call(school, "GET", ALICE_PATHS[1], token="alice-token")
    _, one, _ = await call(
        school, "GET", f"/api/submissions/{school.alice_submission}", token="alice-token"
    )
    assert "hidden_detail" not in history["submissions"][0] and "hidden_detail" not in one


async def test_a_teacher_reads_their_cohorts_learners_with_code(school) -> None:
    code, progress, _ = await call(school, "GET", "/api/users/alice/progress", token="ms-a-token")
    assert code == 200
    assert [p["problem_id"] for p in progress["problems"]] == ["add-two"]
    code, history, _ = await call(school, "GET", "/api/users/alice/submissions", token="ms-a-token")
    assert code == 200 and history["submissions"][0]["code"] == WRONG_ADD
    code, one, _ = await call(
        school, "GET", f"/api/submissions/{school.alice_submission}", token="ms-a-token"
    )
    assert code == 200 and one["user"] == "alice" and one["code"] == WRONG_ADD
    assert one["hidden_detail"] and all(d["message"] for d in one["hidden_detail"])
    assert history["submissions"][0]["hidden_detail"] == one["hidden_detail"]
    code, cohort, _ = await call(school, "GET", "/api/cohorts/class-a", token="ms-a-token")
    assert code == 200
    rows = {row["user"]: row for row in cohort["learners"]}
    assert set(rows) == {"alice", "bob"}
    assert rows["alice"]["attempts"] == 1 and rows["alice"]["solved"] == 0
    assert rows["alice"]["problems"]["add-two"]["best_score"] < 10


async def test_a_teacher_sees_nothing_of_other_cohorts(school) -> None:
    for path in [
        "/api/users/carol/progress",
        "/api/users/carol/submissions",
        "/api/cohorts/class-b",
    ]:
        code, _, _ = await call(school, "GET", path, token="ms-a-token")
        assert code == 404, path
    code, body, _ = await call(
        school, "GET", f"/api/submissions/{school.alice_submission}", token="ms-b-token"
    )
    assert code == 404
    code, body, _ = await call(school, "GET", "/api/cohorts", token="ms-a-token")
    assert [c["name"] for c in body["cohorts"]] == ["class-a"]


async def test_an_admin_reads_every_cohort(school) -> None:
    code, body, _ = await call(school, "GET", "/api/cohorts", token="head-token")
    assert code == 200 and [c["name"] for c in body["cohorts"]] == ["class-a", "class-b"]
    code, _, _ = await call(school, "GET", "/api/users/carol/progress", token="head-token")
    assert code == 200


async def test_cohort_properties_name_the_cohort_and_set_its_limits(school) -> None:
    school.hub_auth.properties["class-b"] = {
        "coderunner": {"display_name": "Class 7B", "track": "ages-12-14", "rate_per_minute": 1}
    }
    code, me, _ = await call(school, "GET", "/api/me", token="carol-token")
    assert code == 200
    assert me["cohorts"] == [{"name": "class-b", "display_name": "Class 7B", "track": "ages-12-14"}]
    assert me["limits"]["rate_per_minute"] == 1 and me["teaches"] == []
    code, plain, _ = await call(school, "GET", "/api/me", token="alice-token")
    assert plain["cohorts"] == [], "a group without Code Runner settings is not shown"
    first = await call(
        school,
        "POST",
        "/api/submissions",
        {"problem_id": "add-two", "code": "x = 1"},
        token="carol-token",
    )
    second = await call(
        school,
        "POST",
        "/api/submissions",
        {"problem_id": "add-two", "code": "x = 2"},
        token="carol-token",
    )
    assert first[0] == 202 and second[0] == 429, (first[1], second[1])
    assert "at most 1 per minute" in second[1]["message"]


async def test_malformed_cohort_limits_are_ignored(school) -> None:
    school.hub_auth.properties["class-b"] = {"coderunner": {"daily_quota": "lots", "track": 7}}
    code, me, _ = await call(school, "GET", "/api/me", token="carol-token")
    assert code == 200
    assert me["limits"]["daily_quota"] == school.admission.daily_quota
    assert me["cohorts"][0]["track"] is None
