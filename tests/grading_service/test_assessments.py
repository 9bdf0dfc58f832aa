"""What a teacher may define as an assessment, and its window (assessments.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from grading_service.assessments import AssessmentError, parse

GOOD = {
    "id": "loops-quiz",
    "title": " Loops quiz ",
    "problems": ["add-two", "count-vowels", "add-two"],
    "opens_at": "2027-03-01T09:00:00+01:00",
    "closes_at": "2027-03-01T09:45Z",
    "max_attempts": 3,
}
KNOWN = {"add-two", "count-vowels"}


def test_a_good_definition() -> None:
    a = parse(GOOD, cohort="7a", known_problems=KNOWN, by="ms-a")
    assert a.title == "Loops quiz" and a.problems == ("add-two", "count-vowels")
    assert a.opens_at == dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert a.state(a.opens_at - dt.timedelta(seconds=1)) == "upcoming"
    assert a.state(a.opens_at) == "open"
    assert a.state(a.closes_at) == "closed"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"id": "Loops Quiz"}, "'id'"),
        ({"title": ""}, "'title'"),
        ({"problems": []}, "'problems'"),
        ({"problems": ["nope"]}, "No problem 'nope'"),
        ({"opens_at": "tomorrow"}, "'opens_at'"),
        ({"opens_at": "2027-03-01T09:00"}, "time zone"),
        ({"closes_at": "2027-03-01T07:00Z"}, "after"),
        ({"max_attempts": 0}, "'max_attempts'"),
        ({"max_attempts": True}, "'max_attempts'"),
    ],
)
def test_bad_definitions_say_what_is_wrong(change: dict, fragment: str) -> None:
    with pytest.raises(AssessmentError, match=fragment) as err:
        parse({**GOOD, **change}, cohort="7a", known_problems=KNOWN, by="ms-a")
    assert err.value.status == 400
