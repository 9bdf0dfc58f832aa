"""Cohort settings from JupyterHub group properties (edge/cohorts.py)."""

from __future__ import annotations

from grading_service.edge.cohorts import MAX_LIMIT, cohort_from_group


def test_settings_are_read_from_the_coderunner_property() -> None:
    cohort, problems = cohort_from_group(
        {
            "name": "7a",
            "users": ["alice", "bob"],
            "properties": {
                "coderunner": {
                    "display_name": " Class 7A ",
                    "track": "ages-12-14",
                    "rate_per_minute": 20,
                    "daily_quota": 0,
                    "mem_limit": "2G",  # the hub's business, not ours
                },
                "other-tool": {"x": 1},
            },
        }
    )
    assert problems == []
    assert cohort.public() == {"name": "7a", "display_name": "Class 7A", "track": "ages-12-14"}
    assert cohort.limits == {"rate_per_minute": 20, "daily_quota": 0}
    assert cohort.members == ("alice", "bob")
    assert cohort.configured


def test_a_group_without_settings_is_a_cohort_named_after_itself() -> None:
    cohort, problems = cohort_from_group({"name": "7b", "properties": {}})
    assert problems == [] and cohort.display_name == "7b" and cohort.limits is None
    assert not cohort.configured, "a group without settings is not shown as a class"


def test_malformed_values_are_reported_and_ignored() -> None:
    cohort, problems = cohort_from_group(
        {
            "name": "7c",
            "users": ["alice", 3],
            "properties": {
                "coderunner": {
                    "display_name": "",
                    "track": 7,
                    "rate_per_minute": "many",
                    "daily_quota": MAX_LIMIT + 1,
                }
            },
        }
    )
    assert len(problems) == 4
    assert cohort.display_name == "7c" and cohort.track is None and cohort.limits is None
    assert cohort.members == ("alice",)
    assert all(v is not True for v in (cohort.limits or {}).values())
    _, problems = cohort_from_group({"name": "7d", "properties": {"coderunner": [1]}})
    assert problems and "must be an object" in problems[0]
    _, problems = cohort_from_group(
        {"name": "7e", "properties": {"coderunner": {"rate_per_minute": True}}}
    )
    assert problems, "a boolean is not a limit"
