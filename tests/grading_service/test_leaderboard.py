"""The class leaderboard's rules (leaderboard.py): names the teacher chose, points,
streaks, ranks with ties, and what one learner sees."""

from __future__ import annotations

import datetime as dt

import pytest

from grading_service.leaderboard import LeaderboardError, board, check_names, streak, view_for

TODAY = dt.date(2026, 12, 2)


def days(*offsets: int) -> set[dt.date]:
    return {TODAY - dt.timedelta(days=n) for n in offsets}


def test_a_streak_counts_days_in_a_row_and_survives_today_until_it_ends() -> None:
    assert streak(days(0, 1, 2), TODAY) == 3
    assert streak(days(1, 2), TODAY) == 2  # nothing yet today: still on
    assert streak(days(2, 3), TODAY) == 0  # yesterday missed
    assert streak(set(), TODAY) == 0


def test_ranks_share_ties_and_unnamed_learners_are_left_off() -> None:
    names = {"ana": "Star", "ben": "Rocket", "cem": "Comet"}
    progress = {
        "ana": [{"best_score": 10}, {"best_score": 5}],
        "ben": [{"best_score": 15}],
        "cem": [{"best_score": 3}],
        "dan": [{"best_score": 99}],  # no display name: not on the board
    }
    rows = board(names, progress, {"ben": days(0, 1)}, TODAY)
    assert [(r["rank"], r["name"], r["points"], r["streak"]) for r in rows] == [
        (1, "Rocket", 15, 2),
        (1, "Star", 15, 0),
        (3, "Comet", 3, 0),
    ]
    seen = view_for("cem", rows)
    assert seen["me"] == {"rank": 3, "name": "Comet", "points": 3, "streak": 0}
    assert [r["me"] for r in seen["rows"]] == [False, False, True]
    assert "learner" not in seen["rows"][0]
    assert view_for("dan", rows)["me"] is None


def test_only_the_top_ten_rows_are_shown() -> None:
    names = {f"l{i}": f"Name {i}" for i in range(14)}
    progress = {f"l{i}": [{"best_score": i}] for i in range(14)}
    seen = view_for("l0", board(names, progress, {}, TODAY))
    assert len(seen["rows"]) == 10 and seen["me"]["rank"] == 14


def test_display_names_are_checked() -> None:
    assert check_names({"ana": "  Star   Coder ", "ben": ""}, ["ana", "ben"]) == {
        "ana": "Star Coder"
    }
    for names, fragment in [
        ({"zed": "X"}, "No learner"),
        ({"ana": "<b>x</b>"}, "use 1-30"),
        ({"ana": "Same", "ben": "Same"}, "once"),
        ({"ana": 3}, "text"),
        (["ana"], "map"),
    ]:
        with pytest.raises(LeaderboardError, match=fragment):
            check_names(names, ["ana", "ben"])
