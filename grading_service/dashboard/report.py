"""A cohort at a glance: the numbers behind the teacher dashboard and the gradebook.

Pure functions over what storage returns (the cohort's submissions and progress) and
the curriculum, so the whole report is computed from two queries and is easy to test.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..records import is_solved

NOT_STARTED, ATTEMPTED, SOLVED = "not_started", "attempted", "solved"


@dataclass(frozen=True)
class ProblemColumn:
    id: str
    title: str
    track: str
    level: int
    points: float


def columns(
    index: Iterable[Mapping[str, Any]],
    track: str | None = None,
    *,
    only: Iterable[str] | None = None,
) -> list[ProblemColumn]:
    """The curriculum's problems in order (track, level, listing), optionally one track's;
    or just ``only`` (an assessment's problems), in that order."""
    cols = [
        ProblemColumn(p["id"], p["title"], p["track"], int(p["level"]), float(p["points"]))
        for p in index
        if track is None or p["track"] == track
    ]
    if only is not None:
        chosen = {c.id: c for c in cols}
        return [chosen[pid] for pid in only if pid in chosen]
    order = {c.id: i for i, c in enumerate(cols)}
    return sorted(cols, key=lambda c: (c.track, c.level, order[c.id]))


def cohort_report(
    cohort: Mapping[str, Any],
    members: Iterable[str],
    problems: list[ProblemColumn],
    submissions: Iterable[Mapping[str, Any]],
    reached: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, Any]:
    """Learners × problems (state, best score, attempts), totals, and per-problem
    statistics: solve rate, median attempts to the first solve, and the hidden test that
    fails most often. ``submissions`` are the members' graded submissions in any order;
    ``reached`` is each learner's highest open level per track."""
    members = sorted(set(members))
    ids = {p.id for p in problems}
    by_learner: dict[str, dict[str, list[Mapping[str, Any]]]] = {m: {} for m in members}
    for doc in sorted(submissions, key=lambda d: str(d.get("created_at", ""))):
        if doc.get("user") in by_learner and doc.get("problem_id") in ids:
            if doc.get("status") == "graded":
                by_learner[doc["user"]].setdefault(doc["problem_id"], []).append(doc)

    rows = []
    to_solve: dict[str, list[int]] = {p.id: [] for p in problems}
    failing: dict[str, Counter[str]] = {p.id: Counter() for p in problems}
    for learner in members:
        cells: dict[str, dict[str, Any]] = {}
        total = 0.0
        solved_count = 0
        for problem in problems:
            tries = by_learner[learner].get(problem.id, [])
            if not tries:
                cells[problem.id] = {"state": NOT_STARTED, "best_score": 0, "attempts": 0}
                continue
            best = max(float(t.get("score", 0)) for t in tries)
            first = next((i for i, t in enumerate(tries) if is_solved(t)), None)
            state = SOLVED if first is not None else ATTEMPTED
            if first is not None:
                to_solve[problem.id].append(first + 1)
                solved_count += 1
            for t in tries:
                for test in t.get("tests") or ():
                    if test.get("visibility") == "hidden" and test.get("status") != "pass":
                        failing[problem.id][str(test.get("name", ""))] += 1
            cells[problem.id] = {"state": state, "best_score": best, "attempts": len(tries)}
            total += best
        rows.append(
            {
                "user": learner,
                "cells": cells,
                "solved": solved_count,
                "attempts": sum(c["attempts"] for c in cells.values()),
                "total_score": total,
                "reached": dict((reached or {}).get(learner, {})),
            }
        )

    stats = []
    for problem in problems:
        started = sum(1 for r in rows if r["cells"][problem.id]["state"] != NOT_STARTED)
        solved = len(to_solve[problem.id])
        common = failing[problem.id].most_common(1)
        stats.append(
            {
                "problem_id": problem.id,
                "started": started,
                "solved": solved,
                "solve_rate": solved / len(rows) if rows else 0.0,
                "median_attempts_to_solve": statistics.median(to_solve[problem.id])
                if solved
                else None,
                "most_failed_hidden_test": common[0][0] if common else None,
                "most_failed_count": common[0][1] if common else 0,
            }
        )
    return {
        **dict(cohort),
        "problems": [p.__dict__ for p in problems],
        "learners": rows,
        "stats": stats,
        "max_total": sum(p.points for p in problems),
    }


def gradebook_rows(report: Mapping[str, Any]) -> list[list[Any]]:
    """One row per learner, one column per problem (best score), then totals."""
    problem_ids = [p["id"] for p in report["problems"]]
    rows: list[list[Any]] = [["learner", *problem_ids, "solved", "total"]]
    for row in report["learners"]:
        rows.append(
            [
                row["user"],
                *(_number(row["cells"][pid]["best_score"]) for pid in problem_ids),
                row["solved"],
                _number(row["total_score"]),
            ]
        )
    return rows


def gradebook_csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in gradebook_rows(report):
        # A learner name or problem id starting with = + - @ would be a formula in a
        # spreadsheet; quote it as text.
        writer.writerow(
            ["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row]
        )
    return out.getvalue()


def gradebook_json(report: Mapping[str, Any]) -> dict[str, Any]:
    header, *rows = gradebook_rows(report)
    return {
        "cohort": report.get("name"),
        "problems": header[1:-2],
        "learners": [
            {
                "learner": row[0],
                "scores": dict(zip(header[1:-2], row[1:-2], strict=True)),
                "solved": row[-2],
                "total": row[-1],
            }
            for row in rows
        ],
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)
