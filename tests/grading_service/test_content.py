"""Loading problems from content/: what learners may see and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grading_service.content.store import ContentError, ContentStore, load_problem
from hub_config.settings import ROOT


def make_problem(base: Path, pid: str = "p1", **meta) -> Path:
    d = base / "track" / "level-1" / pid
    d.mkdir(parents=True)
    (d / "problem.json").write_text(
        json.dumps({"id": pid, "title": "T", "track": "track", "level": 1, **meta})
    )
    (d / "statement.md").write_text("Do it.")
    (d / "starter.py").write_text("def f():\n    pass\n")
    (d / "solution.py").write_text("def f():\n    return 'SECRET-SOLUTION'\n")
    (d / "tests_hidden.py").write_text(
        "from solution import f\n\ndef test_f():\n    assert f() == 'SECRET-EXPECTED'\n"
    )
    return d


def test_demo_content_loads_with_at_least_three_problems() -> None:
    store = ContentStore(ROOT / "content")
    assert len(store.index) >= 3
    assert [p["id"] for p in store.index] == sorted(
        [p["id"] for p in store.index],
        key=lambda i: (store.get(i).track, store.get(i).level, store.get(i).order, i),
    )


def test_public_view_never_contains_tests_or_solution(tmp_path: Path) -> None:
    problem = load_problem(make_problem(tmp_path))
    text = json.dumps(problem.public()) + json.dumps(problem.summary())
    assert "SECRET" not in text
    assert "tests_hidden" not in text


def test_test_files_list_public_before_hidden(tmp_path: Path) -> None:
    d = make_problem(tmp_path)
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
    tmp_path: Path, meta: dict, fragment: str
) -> None:
    d = make_problem(tmp_path, **meta) if "id" not in meta else make_problem(tmp_path)
    if "id" in meta:
        raw = json.loads((d / "problem.json").read_text())
        raw.update(meta)
        (d / "problem.json").write_text(json.dumps(raw))
    with pytest.raises(ContentError) as err:
        load_problem(d)
    assert fragment in str(err.value) and str(d) in str(err.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    make_problem(tmp_path, "p1")
    other = make_problem(tmp_path / "x", "p2")
    raw = json.loads((other / "problem.json").read_text())
    raw["id"] = "p1"
    (other / "problem.json").write_text(json.dumps(raw))
    # both live under the same root only when nested one level less: build it explicitly
    root = tmp_path / "root"
    for i, src in enumerate([tmp_path / "track", tmp_path / "x" / "track"]):
        dest = root / f"track{i}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        src.rename(dest)
    with pytest.raises(ContentError, match="duplicate problem id"):
        ContentStore(root)


def test_empty_content_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no problems"):
        ContentStore(tmp_path)
