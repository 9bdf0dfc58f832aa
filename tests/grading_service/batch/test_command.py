"""``coderunner grade`` end to end.

First the run loop with a scripted backend (no Docker): retries, stopping on a fault
that persists, a bug in one file. Then the real command in real sandboxes
(``--local``): a seeded class folder with right and wrong answers, a misnamed function,
an empty file and a broken notebook; and a run interrupted with SIGINT, then resumed:
every file is graded exactly once and no sandbox is left.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docker
import pytest

from grading_service.batch import command
from grading_service.batch.backend import Unavailable
from grading_service.batch.results import Outcome

ROOT = Path(__file__).resolve().parents[3]
RIGHT = "def add(a, b):\n    return a + b\n"


class ScriptedBackend:
    """A backend whose answers are scripted per module (as the real ones: ``Backend``)."""

    mode = "local"
    max_score = 10.0

    def __init__(self, script: dict[str, list[Any]]) -> None:
        self.script = script  # code -> answers in turn: "pass", "fail" or an exception
        self.graded: list[str] = []
        self.closed = False

    async def start(self) -> None:
        pass

    async def grade(self, code: str) -> Outcome:
        self.graded.append(code)
        answer = self.script[code].pop(0) if self.script.get(code) else "pass"
        if isinstance(answer, BaseException):
            raise answer
        passed = answer == "pass"
        return {
            "verdict": "passed" if passed else "failed",
            "message": "",
            "score": 10.0 if passed else 0.0,
            "max_score": 10.0,
            "passed": 1 if passed else 0,
            "total": 1,
            "tests": [{"name": "t", "status": answer, "visibility": "hidden", "message": ""}],
            "image": "fake",
            "image_id": "",
            "submission_id": "",
        }

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run ``grade`` in this process with a scripted backend; files are written to
    ``tmp_path/class`` from ``{name: code}``."""
    monkeypatch.setattr(command, "RETRY_BACKOFF_SECONDS", 0.0)
    monkeypatch.chdir(tmp_path)

    async def run(files: dict[str, str], script: dict[str, list[Any]], *extra: str):
        folder = tmp_path / "class"
        folder.mkdir(exist_ok=True)
        for name, code in files.items():
            (folder / name).write_text(code)
        backend = ScriptedBackend(script)
        monkeypatch.setattr(command, "make_backend", lambda args, image: backend)
        args = command.parser().parse_args(
            ["--problem", "p", "--local", "--out", "out", *extra, "class"]
        )
        status = await command.grade(args, lambda: None)
        lines = (tmp_path / "out" / "record.jsonl").read_text().splitlines()
        return status, backend, [json.loads(line) for line in lines]

    return run


async def test_a_fault_that_passes_is_retried_and_recorded_once(scripted, capsys) -> None:
    flaky = "def add(a, b): return a + b  # flaky\n"
    status, backend, record = await scripted(
        {"alice.py": flaky}, {flaky: [Unavailable("docker hiccup"), Unavailable("again"), "pass"]}
    )
    assert status == 0
    assert backend.graded == [flaky] * 3
    assert [(r["learner"], r["verdict"], r["attempts"]) for r in record] == [("alice", "passed", 3)]
    assert "trying again (2 of 3)" in capsys.readouterr().err


async def test_a_fault_that_persists_stops_the_run_and_leaves_the_file_for_later(
    scripted, capsys
) -> None:
    broken = "def add(a, b): return a + b  # docker gone\n"
    files = {"alice.py": RIGHT, "bob.py": broken, "carol.py": RIGHT, "dan.py": RIGHT}
    status, backend, record = await scripted(
        files, {broken: [Unavailable("no sandbox")] * 3}, "--jobs", "1"
    )
    assert status == command.EXIT_NOT_ALL_GRADED
    assert [r["learner"] for r in record] == ["alice"]  # carol and dan never started
    assert backend.closed
    out = capsys.readouterr().out
    assert "not graded: class/bob.py (bob): no sandbox" in out
    assert "graded 1, skipped 0 already graded, not graded 3" in out

    status, backend, record = await scripted(files, {})
    assert status == 0
    assert [r["learner"] for r in record] == ["alice", "bob", "carol", "dan"]
    assert "graded 3, skipped 1 already graded, not graded 0" in capsys.readouterr().out


async def test_a_bug_grading_one_file_is_reported_and_the_others_are_graded(
    scripted, capsys
) -> None:
    odd = "def add(a, b): return a + b  # odd\n"
    status, _, record = await scripted(
        {"alice.py": odd, "bob.py": RIGHT}, {odd: [KeyError("oops")]}
    )
    assert status == command.EXIT_NOT_ALL_GRADED
    assert [r["learner"] for r in record] == ["bob"]
    assert "unexpected error: KeyError" in capsys.readouterr().out


async def test_files_without_a_module_are_rows_without_grading(scripted) -> None:
    status, backend, record = await scripted({"dan.py": "", "erin.ipynb": "{"}, {})
    assert status == 0 and backend.graded == []
    assert [
        (r["learner"], r["verdict"], r["score"], r["max_score"], r["mode"]) for r in record
    ] == [
        ("dan", "empty", 0.0, 10.0, "file"),
        ("erin", "invalid", 0.0, 10.0, "file"),
    ]


class HeldBackend(ScriptedBackend):
    """Holds every grade until ``release`` is set; ``two_started`` is set once two grades
    have begun."""

    def __init__(self) -> None:
        super().__init__({})
        self.release = asyncio.Event()
        self.two_started = asyncio.Event()
        self.started = 0

    async def grade(self, code: str) -> Outcome:
        self.started += 1
        if self.started == 2:
            self.two_started.set()
        await self.release.wait()
        return await super().grade(code)


async def interrupted_run(tmp_path: Path, monkeypatch, interrupts: int) -> tuple[int, list, int]:
    """Grade six files with two jobs; send ``interrupts`` SIGINTs while two are in flight."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    for n in range(6):
        (tmp_path / "class" / f"l{n}.py").write_text(f"def add(a, b): return a + b  # {n}\n")
    backend = HeldBackend()
    monkeypatch.setattr(command, "make_backend", lambda args, image: backend)
    args = command.parser().parse_args(["--problem", "p", "--local", "--out", "out", "class"])
    running = asyncio.create_task(command.grade(args, lambda: None))
    await asyncio.wait_for(backend.two_started.wait(), 10)
    for _ in range(interrupts):
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(0.05)
    backend.release.set()
    status = await running
    lines = (tmp_path / "out" / "record.jsonl").read_text().splitlines()
    return status, [json.loads(line)["learner"] for line in lines], backend.started


async def test_one_ctrl_c_lets_the_files_in_flight_finish_and_starts_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    status, learners, started = await interrupted_run(tmp_path, monkeypatch, 1)
    assert (status, learners, started) == (130, ["l0", "l1"], 2)
    captured = capsys.readouterr()
    assert "letting 2 file(s) in flight finish" in captured.err
    assert "graded 2, skipped 0 already graded, not graded 4" in captured.out
    document = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [r["learner"] for r in document["results"]] == ["l0", "l1"]
    assert [f["learner"] for f in document["not_graded"]] == ["l2", "l3", "l4", "l5"]


async def test_a_second_ctrl_c_drops_the_files_in_flight_unrecorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    status, learners, started = await interrupted_run(tmp_path, monkeypatch, 2)
    assert (status, learners, started) == (130, [], 2)
    assert "dropping 2 file(s) in flight" in capsys.readouterr().err


# --------------------------------------------------------------------------- real sandboxes


def coderunner_grade(*args: str, cwd: Path, **popen: Any) -> subprocess.Popen:
    """``coderunner grade`` as a process of its own (``python -m grading_service``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "grading_service", "grade", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def sandboxes_of(instance: str) -> list[dict]:
    client = docker.from_env()
    return client.api.containers(all=True, filters={"label": f"org.coderunner.instance={instance}"})


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as f:
        return {row["learner"]: row for row in csv.DictReader(f)}


def test_a_seeded_class_folder_gets_the_expected_verdicts_and_scores(
    tmp_path: Path, sandbox_image: str, new_instance_name, seeded_class
) -> None:
    seeded_class(tmp_path)
    instance = new_instance_name()
    proc = coderunner_grade(
        "--problem", "add-two", "--local", "--image", sandbox_image,
        "--content", str(ROOT / "content"), "--instance", instance, "class_7a",
        cwd=tmp_path,
    )  # fmt: skip
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)

    rows = read_csv(tmp_path / "grades-add-two" / "results.csv")
    tests = [
        "public:test_small_numbers",
        "public:test_zero",
        "hidden:test_negative_numbers",
        "hidden:test_mixed_signs",
        "hidden:test_large_numbers",
        "hidden:TestFloats.test_floats",
    ]
    expected = {  # learner: file, verdict, score, passed, total, per-test outcomes
        "alice": ("class_7a/alice.py", "passed", "10", "6", "6", ["pass"] * 6),
        "bob": ("class_7a/bob.py", "failed", "1.67", "1", "6", ["fail", "pass"] + ["fail"] * 4),
        "carol": ("class_7a/carol.py", "failed", "0", "0", "6", ["fail"] * 6),
        "dan": ("class_7a/dan.py", "empty", "0", "0", "0", [""] * 6),
        "erin": ("class_7a/erin.ipynb", "invalid", "0", "0", "0", [""] * 6),
        "frank": ("class_7a/frank/answer.ipynb", "passed", "10", "6", "6", ["pass"] * 6),
    }
    assert sorted(rows) == sorted(expected)
    for learner, (file, verdict, score, passed, total, outcomes) in expected.items():
        row = rows[learner]
        got = (row["file"], row["verdict"], row["score"], row["passed"], row["total"])
        assert got == (file, verdict, score, passed, total), row
        assert [row[t] for t in tests] == outcomes, row
        assert row["max_score"] == "10"
        sandboxed = verdict in ("passed", "failed")
        assert row["image"] == (sandbox_image if sandboxed else "")
        assert float(row["duration_ms"]) >= 0
    assert rows["dan"]["message"] == "The file is empty: there is no code to grade."
    assert rows["erin"]["message"].startswith("Cannot grade this notebook: it is not JSON")

    document = json.loads((tmp_path / "grades-add-two" / "results.json").read_text())
    assert document["summary"]["verdicts"] == {"empty": 1, "failed": 2, "invalid": 1, "passed": 2}
    assert document["not_graded"] == []
    carol = next(r for r in document["results"] if r["learner"] == "carol")
    public = [t for t in carol["tests"] if t["visibility"] == "public"]
    assert {t["message"] for t in public} == {"Your code does not define `add`."}
    assert all(t["message"] == "" for t in carol["tests"] if t["visibility"] == "hidden")
    alice = next(r for r in document["results"] if r["learner"] == "alice")
    assert alice["image"] == sandbox_image and alice["image_id"].startswith("sha256:")
    assert alice["path"] == str(tmp_path / "class_7a" / "alice.py")
    assert "add-two: 6 files: graded 6, skipped 0 already graded, not graded 0" in out
    assert sandboxes_of(instance) == []


SLOW = "import time\n\n\ndef add(a, b):\n    time.sleep(0.15)\n    return a + b  # {n}\n"


def test_an_interrupted_run_resumes_and_grades_every_file_exactly_once(
    tmp_path: Path, sandbox_image: str, new_instance_name
) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    names = [f"learner{n}" for n in range(6)]
    for n, name in enumerate(names):
        (folder / f"{name}.py").write_text(SLOW.format(n=n))
    instance = new_instance_name()
    args = (
        "--problem", "add-two", "--local", "--image", sandbox_image, "--jobs", "2",
        "--content", str(ROOT / "content"), "--instance", instance, "--out", "out", "class",
    )  # fmt: skip
    record = tmp_path / "out" / "record.jsonl"

    proc = coderunner_grade(*args, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (record.exists() and record.read_bytes().count(b"\n") >= 1):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no file graded in 60 s"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    first = record.read_text().splitlines()
    assert 1 <= len(first) < len(names), "the interrupt came too late to test resuming"
    assert "interrupted" in err and "stopped: interrupted" in out
    assert sandboxes_of(instance) == []

    proc = coderunner_grade(*args, cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    assert (
        f"add-two: 6 files: graded {6 - len(first)}, skipped {len(first)} already graded, "
        "not graded 0" in out
    )
    lines = record.read_text().splitlines()
    assert lines[: len(first)] == first  # the first run's lines are untouched
    entries = [json.loads(line) for line in lines]
    keys = [(e["problem_id"], e["path"], e["sha256"]) for e in entries]
    assert len(keys) == len(set(keys)) == len(names)  # each file graded exactly once
    assert sorted(e["learner"] for e in entries) == names
    assert all(e["verdict"] == "passed" for e in entries)
    assert sorted(read_csv(tmp_path / "out" / "results.csv")) == names
    assert sandboxes_of(instance) == []
