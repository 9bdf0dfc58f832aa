"""The numbers behind the teacher dashboard and the gradebook (dashboard/report.py), on a
seeded cohort: three learners, three problems, known submissions."""

from __future__ import annotations

import csv
import datetime as dt
import io

from grading_service.dashboard.report import (
    cohort_report,
    columns,
    gradebook_csv,
    gradebook_json,
)

INDEX = [
    {"id": "hello", "title": "Hello", "track": "t", "level": 1, "points": 10},
    {"id": "add", "title": "Add", "track": "t", "level": 1, "points": 10},
    {"id": "loop", "title": "Loop", "track": "t", "level": 2, "points": 20},
    {"id": "other", "title": "Other track", "track": "u", "level": 1, "points": 5},
]
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def graded(user: str, problem: str, score: float, max_score: float, minute: int, failed=()):
    tests = [{"name": n, "status": "fail", "visibility": "hidden"} for n in failed]
    tests.append({"name": "test_public", "status": "pass", "visibility": "public"})
    return {
        "user": user,
        "problem_id": problem,
        "status": "graded",
        "score": score,
        "max_score": max_score,
        "created_at": T0 + dt.timedelta(minutes=minute),
        "tests": tests,
    }


SUBMISSIONS = [
    graded("ana", "hello", 10, 10, 1),
    graded("ana", "add", 5, 10, 2, failed=["test_big_numbers"]),
    graded("ana", "add", 10, 10, 5),
    graded("ana", "loop", 10, 20, 6, failed=["test_zero"]),
    graded("ben", "hello", 0, 10, 3, failed=["test_greets"]),
    graded("ben", "hello", 10, 10, 4),
    graded("ben", "add", 5, 10, 7, failed=["test_big_numbers"]),
    graded("ben", "add", 10, 10, 8),
    graded("ben", "add", 10, 10, 9),  # after solving: attempts count, solve stays at 2
    {**graded("cem", "add", 10, 10, 1), "status": "failed"},  # no verdict: not counted
    graded("zed", "add", 10, 10, 1),  # not in the cohort
    graded("ana", "other", 5, 5, 1),  # another track's problem: not a column
]


def report() -> dict:
    return cohort_report(
        {"name": "7a", "display_name": "Class 7A", "track": "t"},
        ["cem", "ben", "ana"],
        columns(INDEX, "t"),
        SUBMISSIONS,
        reached={"ana": {"t": 2}, "ben": {"t": 2}, "cem": {"t": 1}},
    )


def test_the_matrix_says_solved_attempted_or_not_started_with_best_and_attempts() -> None:
    r = report()
    assert [p["id"] for p in r["problems"]] == ["hello", "add", "loop"]
    rows = {row["user"]: row for row in r["learners"]}
    assert list(rows) == ["ana", "ben", "cem"]
    assert rows["ana"]["cells"]["add"] == {"state": "solved", "best_score": 10, "attempts": 2}
    assert rows["ana"]["cells"]["loop"] == {"state": "attempted", "best_score": 10, "attempts": 1}
    assert rows["ben"]["cells"]["loop"]["state"] == "not_started"
    assert rows["cem"]["attempts"] == 0 and rows["cem"]["solved"] == 0
    assert rows["ana"]["total_score"] == 30 and rows["ben"]["total_score"] == 20
    assert rows["ana"]["reached"] == {"t": 2}
    assert r["max_total"] == 40


def test_problem_statistics() -> None:
    stats = {s["problem_id"]: s for s in report()["stats"]}
    assert stats["add"]["solve_rate"] == 2 / 3
    assert stats["add"]["median_attempts_to_solve"] == 2  # ana 2nd, ben 2nd
    assert stats["hello"]["median_attempts_to_solve"] == 1.5  # ana 1st, ben 2nd
    assert stats["add"]["most_failed_hidden_test"] == "test_big_numbers"
    assert stats["add"]["most_failed_count"] == 2
    assert stats["loop"]["solved"] == 0 and stats["loop"]["median_attempts_to_solve"] is None
    assert stats["loop"]["started"] == 1


def test_the_gradebook_csv_cell_by_cell() -> None:
    rows = list(csv.reader(io.StringIO(gradebook_csv(report()))))
    assert rows == [
        ["learner", "hello", "add", "loop", "solved", "total"],
        ["ana", "10", "10", "10", "2", "30"],
        ["ben", "10", "10", "0", "2", "20"],
        ["cem", "0", "0", "0", "0", "0"],
    ]


def test_the_gradebook_json_matches_the_csv() -> None:
    book = gradebook_json(report())
    assert book["cohort"] == "7a" and book["problems"] == ["hello", "add", "loop"]
    assert book["learners"][1] == {
        "learner": "ben",
        "scores": {"hello": 10, "add": 10, "loop": 0},
        "solved": 2,
        "total": 20,
    }


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv() -> None:
    r = cohort_report({"name": "x"}, ["=cmd()"], columns(INDEX, "u"), [])
    assert gradebook_csv(r).splitlines()[1].startswith("'=cmd()")


def test_a_cohort_without_a_track_sees_every_track() -> None:
    r = cohort_report({"name": "x"}, ["ana"], columns(INDEX), SUBMISSIONS)
    assert [p["id"] for p in r["problems"]] == ["hello", "add", "loop", "other"]
