"""Loading problems (content/store.py): what learners may see and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grading_service.content.store import ContentError, ContentStore, load_problem
from hub_config.settings import ROOT


# What a learner must never see.
SECRETS = {
    "solution.py": "def f():\n    return 'SECRET-SOLUTION'\n",
    "tests_hidden.py": "from solution import f\n\n"
    "def test_f():\n    assert f() == 'SECRET-EXPECTED'\n",
}


def test_demo_content_loads_with_at_least_three_problems() -> None:
    store = ContentStore(ROOT / "content")
    assert len(store.index) >= 3
    assert [p["id"] for p in store.index] == sorted(
        [p["id"] for p in store.index],
        key=lambda i: (store.get(i).track, store.get(i).level, store.get(i).order, i),
    )


def test_public_view_never_contains_tests_or_solution(tmp_path: Path, write_problem) -> None:
    problem = load_problem(write_problem(tmp_path, "p1", files=SECRETS))
    text = json.dumps(problem.public()) + json.dumps(problem.summary())
    assert "SECRET" not in text
    assert "tests_hidden" not in text


def test_test_files_list_public_before_hidden(tmp_path: Path, write_problem) -> None:
    d = write_problem(tmp_path, "p1", files=SECRETS)
    (d / "tests_public.py").write_text("def test_x():\n    pass\n")
    files = load_problem(d).test_files()
    assert [f["visibility"] for f in files] == ["public", "hidden"]


@pytest.mark.parametrize(
    ("meta", "fragment"),
    [
        ({"id": "Bad Id!"}, "invalid problem id"),
        ({"kind": "quiz"}, "kind must be"),
        ({"level": "one"}, "ValueError"),
    ],
)
def test_malformed_problems_are_refused_with_the_folder_named(
    tmp_path: Path, write_problem, meta: dict, fragment: str
) -> None:
    d = write_problem(tmp_path, "p1", meta=meta, files=SECRETS)
    with pytest.raises(ContentError) as err:
        load_problem(d)
    assert fragment in str(err.value) and str(d) in str(err.value)


def test_duplicate_ids_are_refused(tmp_path: Path, write_problem) -> None:
    write_problem(tmp_path, "p1", track="a")
    write_problem(tmp_path, "p2", track="b", meta={"id": "p1"})
    with pytest.raises(ContentError, match="duplicate problem id"):
        ContentStore(tmp_path)


def test_empty_content_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no problems"):
        ContentStore(tmp_path)


def test_assessments_can_be_defined_in_the_content_folder(tmp_path) -> None:
    import json
    import shutil

    from grading_service.content.store import ContentError, ContentStore
    from hub_config.settings import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    entry = {
        "id": "week-1",
        "title": "Week 1 check",
        "cohort": "7a",
        "problems": ["add-two"],
        "opens_at": "2027-01-11T09:00+00:00",
        "closes_at": "2027-01-11T10:00+00:00",
        "max_attempts": 2,
    }
    (content / "assessments.json").write_text(json.dumps([entry]))
    (week,) = ContentStore(content).assessments
    assert (week.id, week.cohort, week.problems, week.created_by) == (
        "week-1",
        "7a",
        ("add-two",),
        "content",
    )
    for broken, fragment in [
        ([{**entry, "problems": ["nope"]}], "assessment 1: No problem 'nope'"),
        ([{**entry, "cohort": ""}], "needs a 'cohort'"),
        ([entry, entry], "share an id"),
        ({"id": "x"}, "must be a list"),
    ]:
        (content / "assessments.json").write_text(json.dumps(broken))
        with pytest.raises(ContentError, match=fragment):
            ContentStore(content)
