"""Which files a batch grades and whose they are: the naming rule, case by case."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading_service.batch.inputs import Found, InputError, find_submissions


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def add(a, b):\n    return a + b\n")


def named(found: list[Found]) -> list[tuple[str, str]]:
    return [(f.learner, f.file) for f in found]


def test_a_file_right_in_the_class_folder_is_named_by_its_own_name(tmp_path: Path) -> None:
    touch(tmp_path, "class/alice.py", "class/bob.ipynb")
    found = find_submissions([Path("class")], cwd=tmp_path)
    assert named(found) == [("alice", "class/alice.py"), ("bob", "class/bob.ipynb")]
    assert found[0].path == tmp_path / "class" / "alice.py"
    assert [f.kind for f in found] == ["code", "notebook"]


def test_files_deeper_down_belong_to_their_top_level_folder(tmp_path: Path) -> None:
    touch(tmp_path, "class/carol/answer.ipynb", "class/dan/week1/v2/add.py")
    found = find_submissions([tmp_path / "class"], cwd=tmp_path)
    assert named(found) == [
        ("carol", "class/carol/answer.ipynb"),
        ("dan", "class/dan/week1/v2/add.py"),
    ]


def test_a_file_given_as_path_is_named_by_its_own_name(tmp_path: Path) -> None:
    touch(tmp_path, "class/carol/answer.py")
    assert named(find_submissions([Path("class/carol/answer.py")], cwd=tmp_path)) == [
        ("answer", "class/carol/answer.py")
    ]


@pytest.mark.parametrize(
    "given",
    [
        "course",
        "course/submitted",
        "course/submitted/dan",
        "course/submitted/dan/ps1",
        "course/submitted/dan/ps1/ps1.ipynb",
    ],
)
def test_nbgrader_submitted_folders_name_the_student_whatever_path_points_at(
    tmp_path: Path, given: str
) -> None:
    touch(tmp_path, "course/submitted/dan/ps1/ps1.ipynb")
    found = find_submissions([Path(given)], cwd=tmp_path)
    assert named(found) == [("dan", "course/submitted/dan/ps1/ps1.ipynb")]


def test_one_assignment_of_every_student_as_a_shell_glob_gives_it(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "course/submitted/dan/ps1/ps1.ipynb",
        "course/submitted/dan/ps2/ps2.ipynb",
        "course/submitted/eve/ps1/ps1.ipynb",
        "course/submitted/eve/ps1/extra.py",
    )
    paths = sorted((tmp_path / "course" / "submitted").glob("*/ps1"))
    assert named(find_submissions(paths, cwd=tmp_path)) == [
        ("dan", "course/submitted/dan/ps1/ps1.ipynb"),
        ("eve", "course/submitted/eve/ps1/extra.py"),
        ("eve", "course/submitted/eve/ps1/ps1.ipynb"),
    ]


def test_two_files_for_one_learner_are_both_graded_and_rows_say_which(tmp_path: Path) -> None:
    touch(tmp_path, "class/alice.py", "class/alice.ipynb", "class/carol/a.py", "class/carol/b.py")
    assert named(find_submissions([Path("class")], cwd=tmp_path)) == [
        ("alice", "class/alice.ipynb"),
        ("alice", "class/alice.py"),
        ("carol", "class/carol/a.py"),
        ("carol", "class/carol/b.py"),
    ]


def test_hidden_private_and_other_files_are_skipped(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "class/alice.py",
        "class/.hidden.py",
        "class/_private.py",
        "class/notes.txt",
        "class/alice/.ipynb_checkpoints/answer-checkpoint.ipynb",
        "class/__pycache__/x.py",
        "class/.git/hooks/pre-commit.py",
    )
    assert named(find_submissions([Path("class")], cwd=tmp_path)) == [("alice", "class/alice.py")]


def test_one_file_reached_through_two_paths_is_graded_once_named_by_the_first(
    tmp_path: Path,
) -> None:
    touch(tmp_path, "class/carol/answer.py")
    found = find_submissions([Path("class"), Path("class/carol/answer.py")], cwd=tmp_path)
    assert named(found) == [("carol", "class/carol/answer.py")]


def test_files_outside_the_working_folder_are_shown_by_their_absolute_path(
    tmp_path: Path,
) -> None:
    touch(tmp_path, "class/alice.py")
    (tmp_path / "elsewhere").mkdir()
    found = find_submissions([tmp_path / "class"], cwd=tmp_path / "elsewhere")
    assert named(found) == [("alice", str(tmp_path / "class" / "alice.py"))]


def test_a_missing_path_or_another_kind_of_file_is_refused(tmp_path: Path) -> None:
    touch(tmp_path, "notes.txt")
    with pytest.raises(InputError, match="no such file or folder"):
        find_submissions([Path("missing")], cwd=tmp_path)
    with pytest.raises(InputError, match="not a .py file or a notebook"):
        find_submissions([Path("notes.txt")], cwd=tmp_path)


def test_an_empty_folder_finds_nothing(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    assert find_submissions([Path("class")], cwd=tmp_path) == []
