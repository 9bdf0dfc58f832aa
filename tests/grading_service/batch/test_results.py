"""The record that makes a batch resumable, and the CSV and JSON made from it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from grading_service.batch.results import (
    Entry,
    Record,
    RecordBusy,
    csv_text,
    json_document,
    write_outputs,
)


def graded_test(name: str, status: str, visibility: str = "hidden") -> dict[str, Any]:
    return {"name": name, "status": status, "visibility": visibility, "message": ""}


def entry(learner: str, **changes: Any) -> Entry:
    made: dict[str, Any] = {
        "v": 1,
        "problem_id": "add-two",
        "path": f"/class/{learner}.py",
        "sha256": "0" * 64,
        "learner": learner,
        "file": f"class/{learner}.py",
        "mode": "local",
        "duration_ms": 412.5,
        "graded_at": "2026-01-01T00:00:00+00:00",
        "verdict": "passed",
        "message": "All 2 tests passed.",
        "score": 10.0,
        "max_score": 10.0,
        "passed": 2,
        "total": 2,
        "tests": [graded_test("test_zero", "pass", "public"), graded_test("test_big", "pass")],
        "image": "coderunner-sandbox:abc",
        "image_id": "sha256:abc",
        "submission_id": "",
        **changes,
    }
    return made  # type: ignore[return-value]


# --------------------------------------------------------------------------- the record


def test_a_finished_file_is_known_by_problem_path_and_content_after_reopening(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out" / "record.jsonl"
    record = Record.open(path)
    record.append(entry("alice"))
    record.close()

    again = Record.open(path)
    assert ("add-two", "/class/alice.py", "0" * 64) in again
    assert ("add-two", "/class/alice.py", "1" * 64) not in again  # content changed
    assert ("other", "/class/alice.py", "0" * 64) not in again  # another problem
    assert again.entries[("add-two", "/class/alice.py", "0" * 64)]["learner"] == "alice"
    again.close()


def test_each_line_is_whole_json_ending_in_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    record = Record.open(path)
    record.append(entry("alice"))
    record.append(entry("bob"))
    record.close()
    data = path.read_bytes()
    assert data.endswith(b"\n") and data.count(b"\n") == 2
    assert [json.loads(line)["learner"] for line in data.splitlines()] == ["alice", "bob"]


def test_a_torn_last_line_is_dropped_and_that_file_is_graded_again(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    whole = json.dumps(entry("alice")) + "\n"
    torn = json.dumps(entry("bob"))[:57]
    path.write_text(whole + torn)

    record = Record.open(path)
    assert record.dropped_tail == len(torn)
    assert list(record.entries) == [("add-two", "/class/alice.py", "0" * 64)]
    record.append(entry("bob"))  # starts on a line of its own
    record.close()
    lines = path.read_text().splitlines()
    assert [json.loads(line)["learner"] for line in lines] == ["alice", "bob"]


def test_a_line_that_is_not_an_entry_is_ignored_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    path.write_text(json.dumps(entry("alice")) + "\n" + "not json\n" + '{"no": "key"}\n' + "\n")
    record = Record.open(path)
    assert (record.lines, record.ignored) == (1, 2)
    record.close()


def test_a_regraded_file_appends_a_line_and_the_last_one_wins(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    record = Record.open(path)
    record.append(entry("alice", verdict="failed", score=0.0))
    record.append(entry("alice"))
    assert record.repeated == 1
    record.close()
    again = Record.open(path)
    assert (again.lines, again.repeated) == (2, 1)
    assert again.entries[("add-two", "/class/alice.py", "0" * 64)]["verdict"] == "passed"
    again.close()


def test_only_one_run_at_a_time_may_use_an_output_folder(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    first = Record.open(path)
    with pytest.raises(RecordBusy, match="another `coderunner grade`"):
        Record.open(path)
    first.close()
    Record.open(path).close()


def test_a_run_that_could_not_start_leaves_no_empty_record_behind(tmp_path: Path) -> None:
    Record.open(tmp_path / "new" / "record.jsonl").close(remove_if_new=True)
    assert not (tmp_path / "new").exists()
    (tmp_path / "given").mkdir()
    Record.open(tmp_path / "given" / "record.jsonl").close(remove_if_new=True)
    assert list((tmp_path / "given").iterdir()) == []  # the folder was the user's
    kept = Record.open(tmp_path / "given" / "record.jsonl")
    kept.append(entry("alice"))
    kept.close(remove_if_new=True)
    assert (tmp_path / "given" / "record.jsonl").stat().st_size > 0


# --------------------------------------------------------------------------- outputs


def small_set() -> list[Entry]:
    return [
        entry("alice"),
        entry(
            "bob",
            verdict="failed",
            message="1 of 3 tests passed.",
            score=10 / 3,
            passed=1,
            total=3,
            tests=[
                graded_test("test_zero", "pass", "public"),
                graded_test("test_big", "fail"),
                graded_test("test_neg", "error"),
            ],
        ),
        entry(
            "=cmd|' /C calc'!A0",
            file="-dan.py",
            verdict="empty",
            message="The file is empty: there is no code to grade.",
            score=0.0,
            passed=0,
            total=0,
            tests=[],
            image="",
            image_id="",
            mode="file",
            duration_ms=0.2,
        ),
    ]


def test_the_csv_has_a_row_per_file_and_a_column_per_test_checked_cell_by_cell() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(small_set()))))
    assert rows == [
        [
            "learner",
            "file",
            "problem_id",
            "verdict",
            "score",
            "max_score",
            "passed",
            "total",
            "duration_ms",
            "image",
            "message",
            "public:test_zero",
            "hidden:test_big",
            "hidden:test_neg",
        ],
        [
            "alice",
            "class/alice.py",
            "add-two",
            "passed",
            "10",
            "10",
            "2",
            "2",
            "412.5",
            "coderunner-sandbox:abc",
            "All 2 tests passed.",
            "pass",
            "pass",
            "",
        ],
        [
            "bob",
            "class/bob.py",
            "add-two",
            "failed",
            "3.3333333333333335",
            "10",
            "1",
            "3",
            "412.5",
            "coderunner-sandbox:abc",
            "1 of 3 tests passed.",
            "pass",
            "fail",
            "error",
        ],
        [
            "'=cmd|' /C calc'!A0",  # a learner's text never becomes a spreadsheet formula
            "'-dan.py",
            "add-two",
            "empty",
            "0",
            "10",
            "0",
            "0",
            "0.2",
            "",
            "The file is empty: there is no code to grade.",
            "",
            "",
            "",
        ],
    ]


def test_the_json_holds_a_summary_every_row_as_recorded_and_what_is_not_graded() -> None:
    entries = small_set()
    document = json_document("add-two", entries, [{"learner": "erin", "file": "class/erin.py"}])
    assert document["problem_id"] == "add-two"
    assert document["summary"] == {
        "files": 4,
        "graded": 3,
        "not_graded": 1,
        "verdicts": {"empty": 1, "failed": 1, "passed": 1},
        "mean_score": 4.44,
        "max_score": 10.0,
    }
    assert document["results"] == entries
    assert document["not_graded"] == [{"learner": "erin", "file": "class/erin.py"}]
    assert set(document["results"][1]) >= {
        "learner",
        "file",
        "score",
        "max_score",
        "tests",
        "verdict",
        "duration_ms",
        "image",
    }


def test_outputs_are_replaced_whole(tmp_path: Path) -> None:
    csv_path, json_path = write_outputs(tmp_path, "add-two", small_set(), [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv", "results.json"]
    assert json.loads(json_path.read_text())["summary"]["graded"] == 3
    assert csv_path.read_text().count("\n") == 4
