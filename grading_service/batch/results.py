"""The resumable record of a batch, and the CSV and JSON made from it.

**The record** (``record.jsonl`` in the output folder) is the truth about what is done:
an append-only file of JSON lines, one per finished file, each written whole with one
``write`` and then ``fsync``\\ ed before the file counts as graded. A line is keyed by
(problem id, absolute path, SHA-256 of the file's bytes), so

- a file already in the record is skipped by the next run (unless ``--regrade``, which
  appends a new line; the last line for a key wins);
- a file whose content changed, or the same file graded for another problem, is a new
  key and is graded;
- a line cut short (the machine lost power, the process was killed mid-write) has no
  newline at its end: it is dropped when the record is opened, and that file is graded
  again. A line that is not valid JSON is ignored (and counted).

Only one run may use an output folder at a time (an exclusive ``flock`` on the record).

**The outputs** (``results.csv``, ``results.json``) are written at the end of every run,
interrupted or not, from the record: one row per file of this run's input that has a
line, sorted by learner and file. They are written to a temporary file and renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from ..records import TestResult

RECORD_NAME = "record.jsonl"
CSV_NAME = "results.csv"
JSON_NAME = "results.json"
RECORD_VERSION = 1

Key = tuple[str, str, str]  # (problem id, absolute path, sha256 of the bytes)


class Outcome(TypedDict):
    """What grading one file produced (locally, through the service, or without a
    module to grade)."""

    verdict: str  # records.Verdict, or source.FileVerdict
    message: str
    score: float
    max_score: float
    passed: int
    total: int
    tests: list[TestResult]
    image: str  # the sandbox image's tag ("" when the service does not say)
    image_id: str
    submission_id: str  # the service's id in --url mode, else ""


class Entry(Outcome):
    """One line of the record: a finished file."""

    v: int
    problem_id: str
    path: str
    sha256: str
    learner: str
    file: str
    mode: str  # local | remote | file (no module: graded without a sandbox)
    duration_ms: float
    graded_at: str
    attempts: NotRequired[int]


def key_of(entry: Entry) -> Key:
    return (entry["problem_id"], entry["path"], entry["sha256"])


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class RecordBusy(RuntimeError):
    """Another run holds the output folder."""


class Record:
    """The append-only record of one output folder (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[Key, Entry] = {}
        self.lines = 0  # valid lines read or written
        self.repeated = 0  # lines whose key an earlier line already had
        self.ignored = 0  # lines that are not a valid entry
        self.dropped_tail = 0  # bytes of a cut-off last line removed at open
        self.created = False  # this open made the file
        self.created_folder = False  # ... and its folder
        self._fd: int | None = None

    @classmethod
    def open(cls, path: Path) -> Record:
        """Open (creating) and lock the record, drop a cut-off last line, read it."""
        record = cls(path)
        record.created = not path.exists()
        record.created_folder = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RecordBusy(f"another `coderunner grade` is using {path.parent}") from None
        record._fd = fd
        if record.created:
            _fsync_folder(path.parent)
        data = path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) < len(data):
            record.dropped_tail = len(data) - len(complete)
            os.ftruncate(fd, len(complete))
            os.fsync(fd)
        for line in complete.splitlines():
            record._read_line(line)
        return record

    def _read_line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            entry = json.loads(line)
            key = key_of(entry)
        except (ValueError, KeyError, TypeError):
            self.ignored += 1
            return
        self.lines += 1
        if key in self.entries:
            self.repeated += 1
        self.entries[key] = entry

    def __contains__(self, key: Key) -> bool:
        return key in self.entries

    def append(self, entry: Entry) -> None:
        """Write one line and make it durable before the file counts as graded.

        Synchronous on purpose: a Ctrl-C handled by the event loop, or a cancelled task,
        cannot stop it between the write and the fsync.
        """
        if self._fd is None:
            raise RuntimeError("the record is closed")
        line = (json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n").encode()
        written = os.write(self._fd, line)
        while written < len(line):  # a regular file takes it whole; be safe anyway
            written += os.write(self._fd, line[written:])
        os.fsync(self._fd)
        key = key_of(entry)
        if key in self.entries:
            self.repeated += 1
        self.entries[key] = entry
        self.lines += 1

    def close(self, *, remove_if_new: bool = False) -> None:
        """Release the record; ``remove_if_new``: a run that could not start leaves no
        empty record (nor an empty folder) behind."""
        if self._fd is None:
            return
        if remove_if_new and self.created and os.fstat(self._fd).st_size == 0:
            self.path.unlink(missing_ok=True)
            if self.created_folder:
                try:
                    self.path.parent.rmdir()
                except OSError:
                    pass  # something else was put there meanwhile
        os.close(self._fd)  # releases the lock
        self._fd = None


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- outputs

FIXED_COLUMNS = (
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
)
# Text a learner controls (file names, messages with their exception text): a cell
# starting with one of these is a formula to a spreadsheet, so it gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = ("learner", "file", "message")


def test_column(test: TestResult) -> str:
    """A test's CSV column: ``public:test_zero``, ``hidden:TestFloats.test_floats``."""
    return f"{test.get('visibility', 'hidden')}:{test.get('name', '?')}"


def _spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Any) -> Any:
    """10.0 → 10, 1.67 stays: scores read as a person writes them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


NUMBER_COLUMNS = ("score", "max_score")


def csv_text(entries: Iterable[Entry]) -> str:
    """The CSV: the fixed columns, then one column per test (in the order tests first
    appear), holding ``pass``, ``fail``, ``error``, ``skipped``, or nothing when that
    test did not run for this file (an empty file, a syntax error)."""
    rows = list(entries)
    tests: dict[str, None] = {}
    for entry in rows:
        for test in entry.get("tests", []):
            tests.setdefault(test_column(test), None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *tests])
    for entry in rows:
        outcome = {test_column(t): t.get("status", "") for t in entry.get("tests", [])}
        cells: list[Any] = []
        for column in FIXED_COLUMNS:
            value = entry.get(column, "")
            if column in TEXT_COLUMNS:
                value = _spreadsheet_safe(str(value))
            elif column in NUMBER_COLUMNS:
                value = _number(value)
            cells.append(value)
        writer.writerow([*cells, *(outcome.get(name, "") for name in tests)])
    return out.getvalue()


def summarize(entries: list[Entry], not_graded: int = 0) -> dict[str, Any]:
    """Counts per verdict and the mean score, for the JSON and the closing summary."""
    verdicts = Counter(entry["verdict"] for entry in entries)
    scores = [float(entry["score"]) for entry in entries]
    return {
        "files": len(entries) + not_graded,
        "graded": len(entries),
        "not_graded": not_graded,
        "verdicts": dict(sorted(verdicts.items())),
        "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
        "max_score": max((float(e["max_score"]) for e in entries), default=None),
    }


def json_document(
    problem_id: str, entries: list[Entry], not_graded: list[dict[str, str]]
) -> dict[str, Any]:
    """The JSON output: the problem, a summary, every row as recorded, and the files of
    this run's input that have no row yet (interrupted, or stopped by a fault)."""
    return {
        "problem_id": problem_id,
        "generated_at": utc_now(),
        "summary": summarize(entries, len(not_graded)),
        "results": entries,
        "not_graded": not_graded,
    }


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and a rename: readers see the old file or the new one."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def write_outputs(
    folder: Path, problem_id: str, entries: list[Entry], not_graded: list[dict[str, str]]
) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``results.json``; their paths."""
    csv_path, json_path = folder / CSV_NAME, folder / JSON_NAME
    write_atomically(csv_path, csv_text(entries))
    document = json_document(problem_id, entries, not_graded)
    write_atomically(json_path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return csv_path, json_path
