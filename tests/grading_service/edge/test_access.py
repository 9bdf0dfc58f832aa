"""Reading the caller's Code Runner scopes (edge/access.py): what each grants, and that
nothing else grants anything."""

from __future__ import annotations

from grading_service.edge.access import ADMIN, GRADE, TEACH, Access


def test_a_learner_reads_only_themselves() -> None:
    access = Access.from_scopes("alice", ["access:services!service=grader", "self"])
    assert not access.is_staff
    assert access.may_read("alice")
    assert not access.may_read("bob", ["class-a"])
    assert not access.may_teach("class-a")


def test_a_teacher_reads_the_learners_of_their_cohorts_only() -> None:
    access = Access.from_scopes("ms-a", [f"{TEACH}!group=class-a", f"{TEACH}!user=dan"])
    assert access.is_staff and access.cohorts == {"class-a"}
    assert access.may_read("alice", ["class-b", "class-a"])
    assert access.may_read("dan")
    assert not access.may_read("carol", ["class-b"])
    assert access.may_teach("class-a") and not access.may_teach("class-b")


def test_an_unfiltered_teach_scope_and_the_admin_scope_reach_everyone() -> None:
    for scopes in ([TEACH], [ADMIN]):
        access = Access.from_scopes("head", scopes)
        assert access.may_read("anyone") and access.may_teach("any-cohort")


def test_look_alike_and_filtered_scopes_grant_nothing_more() -> None:
    access = Access.from_scopes(
        "mallory",
        [
            f"{ADMIN}!user=mallory",  # a filtered admin scope is not admin
            f"{GRADE}!group=x",
            f"{TEACH}x!group=class-a",
            "custom:coderunner:teachers",
            f"{TEACH}!server=alice/",
            f"{TEACH}!group=",
            "admin:users",
            "admin:groups",
        ],
    )
    assert not access.admin and not access.grader and not access.is_staff
    assert not access.may_read("alice", ["class-a"])


def test_service_accounts_get_their_role_from_the_jwt() -> None:
    teacher = Access.from_model(
        {"name": "service:lms", "kind": "service", "role": "teacher", "groups": ["class-a"]}
    )
    assert teacher.may_read("alice", ["class-a"]) and not teacher.may_read("carol", ["b"])
    grader = Access.from_model({"name": "service:batch", "kind": "service", "role": "grader"})
    assert grader.grader and not grader.is_staff
    # a JWT's scopes, if any, are not read: only its signed role counts
    forged = Access.from_model(
        {"name": "service:x", "kind": "service", "role": "service", "scopes": [ADMIN]}
    )
    assert not forged.admin and not forged.is_staff
