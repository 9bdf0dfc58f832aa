"""Faults around a worker (jobs/worker.py) with real sandboxes: a worker killed mid-job
loses nothing and grades nothing twice; SIGTERM finishes jobs in flight and leaves no
sandbox behind (the service as a real process); a job delivered twice or left by a dead
consumer is graded once, and no job is retried forever, whatever goes wrong while
grading (in-process)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import docker
import pytest
from prometheus_client import REGISTRY

from grading_service.jobs.worker import GAVE_UP_MESSAGE
from grading_service.storage import Storage
from hub_config.devstack import free_port, wait_http

from ..api import GOOD_ADD, call
from ..processes import grader_process_env, grader_token

SLOW = "import time\ntime.sleep(3)\n\ndef solve(n):\n    return 2 * n\n"


@pytest.fixture
def content(tmp_path: Path, write_problem) -> Path:
    write_problem(
        tmp_path / "content",
        meta={"time_limit_seconds": 20},
    )
    return tmp_path / "content"


class GraderProcess:
    def __init__(self, env: dict, tmp: Path, name: str) -> None:
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "grading_service",
                "grader",
                "--WorkerPool.visibility_timeout_seconds=2",
                "--SandboxPool.size=1",
            ],
            env={**env, "CODERUNNER_GRADER_PORT": str(self.port)},
            stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT,
        )  # noqa: SIM115
        wait_http(f"{self.base}/health", 30, proc=self.proc, log=self.log)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            data=json.dumps(body).encode() if body else None,
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())


@pytest.fixture
def grader_env(backing_services, sandbox_image, new_instance_name, content: Path) -> dict:
    return grader_process_env(
        backing_services, sandbox_image, content, CODERUNNER_INSTANCE=new_instance_name()
    )


def wait_running(grader: GraderProcess, token: str, sid: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if grader.call("GET", f"/api/submissions/{sid}", token)["status"] == "running":
            return
        time.sleep(0.1)
    raise AssertionError(f"{sid} never started running")


def sandboxes(env: dict) -> list:
    return docker.from_env().api.containers(
        all=True, filters={"label": f"org.coderunner.instance={env['CODERUNNER_INSTANCE']}"}
    )


def test_worker_killed_mid_job_still_ends_with_exactly_one_verdict(
    grader_env, tmp_path, verdict_of
):
    token = grader_token(grader_env)
    first = GraderProcess(grader_env, tmp_path, "first")
    sid = first.call("POST", "/api/submissions", token, {"problem_id": "double", "code": SLOW})[
        "id"
    ]
    wait_running(first, token, sid)
    first.proc.kill()  # SIGKILL: no clean-up, the job stays pending in the stream
    first.proc.wait()
    second = GraderProcess(grader_env, tmp_path, "second")
    try:
        result = asyncio.run(verdict_of(second.base, sid, token))
        assert result["verdict"] == "passed" and result["score"] == 10
        progress = second.call("GET", "/api/progress", token)
        assert progress["problems"][0]["attempts"] == 1  # counted once
        log = (tmp_path / "second.log").read_text()
        assert "claimed a stale job" in log
    finally:
        second.proc.terminate()
        second.proc.wait(30)
    assert sandboxes(grader_env) == []


def test_sigterm_finishes_jobs_in_flight_and_removes_sandboxes(grader_env, tmp_path):
    token = grader_token(grader_env)
    grader = GraderProcess(grader_env, tmp_path, "graceful")
    sid = grader.call("POST", "/api/submissions", token, {"problem_id": "double", "code": SLOW})[
        "id"
    ]
    wait_running(grader, token, sid)
    grader.proc.send_signal(signal.SIGTERM)
    assert grader.proc.wait(40) == 0
    assert sandboxes(grader_env) == []
    # The verdict of the job that was running was stored before the exit.
    storage = Storage(grader_env["MONGODB_URI"], grader_env["CODERUNNER_DB"])

    async def read() -> dict:
        try:
            return await storage.get_submission(sid)
        finally:
            await storage.close()

    doc = asyncio.run(read())
    assert doc["status"] == "graded" and doc["verdict"] == "passed"


# ---------------------------------------------------------------- in-process, graded once


async def submit(app, sid: str) -> None:
    await app.storage.insert_submission(
        {
            "_id": sid,
            "user": "alice",
            "problem_id": "add-two",
            "code": GOOD_ADD,
            "code_hash": secrets.token_hex(8),
            "source_kind": "code",
        }
    )
    await app.queue.enqueue(sid)


async def test_duplicate_delivery_stores_one_verdict_and_counts_once(service, verdict_of) -> None:
    _, body, _ = await call(
        service,
        "POST",
        "/api/submissions",
        {"problem_id": "count-vowels", "code": "def count_vowels(t):\n    return 0\n"},
        token="bob-token",
    )
    await service.queue.enqueue(body["id"])  # the same job delivered a second time
    await verdict_of(service.base, body["id"], "bob-token")
    await asyncio.sleep(1.0)
    progress = await service.storage.progress_for("bob")
    entry = next(p for p in progress if p["problem_id"] == "count-vowels")
    assert entry["attempts"] == 1


async def test_job_of_a_dead_worker_is_claimed_and_graded_once(service, verdict_of) -> None:
    sid = "deadbeef" + secrets.token_hex(12)
    await submit(service, sid)
    # The job is taken by a consumer that then dies without acknowledging it. The live
    # workers may read it first; either way it must end graded exactly once.
    await service.queue.read("dead-worker", block_ms=10)
    result = await verdict_of(service.base, sid, "alice-token")
    assert result["verdict"] == "passed"
    stored = await service.storage.get_submission(sid)
    assert stored["attempts"] >= 1
    await asyncio.sleep(0.5)
    assert await service.queue.depth() == 0


# -------------------------------------------------------------------- no endless retries


async def wait_final(app, sid: str, verdict_of) -> dict:
    """The stored submission (with its attempts) once it has a verdict."""
    await verdict_of(app.base, sid, "alice-token")
    return await app.storage.get_submission(sid)


async def wait_acked(app) -> None:
    """Nothing waiting and nothing pending in the queue (within 5 s)."""
    for _ in range(100):
        if await app.queue.depth() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"jobs left in the queue: {await app.queue.depth()}")


def grading_errors() -> float:
    return REGISTRY.get_sample_value("coderunner_grading_errors_total") or 0.0


async def test_a_grading_bug_ends_in_internal_error_after_the_last_attempt(
    make_service, monkeypatch, log_records, verdict_of
) -> None:
    app = await make_service()
    calls: list[str] = []

    async def broken(problem, code: str, *, submission_id: str = "") -> dict:
        calls.append(submission_id)
        raise RuntimeError("injected grading bug")

    monkeypatch.setattr(app.grader, "grade", broken)
    errors_before = grading_errors()
    sid = "bug" + secrets.token_hex(12)
    with log_records("coderunner.worker") as logged:
        await submit(app, sid)
        doc = await wait_final(app, sid, verdict_of)
        await wait_acked(app)
    assert doc["status"] == "failed" and doc["verdict"] == "internal_error"
    assert doc["message"] == GAVE_UP_MESSAGE and doc["score"] == 0
    assert doc["attempts"] == app.workers.max_infra_attempts == 3
    assert calls == [sid] * 3
    assert grading_errors() - errors_before == 3
    tracebacks = [
        r for r in logged.records if r.exc_info and getattr(r, "submission_id", None) == sid
    ]
    assert len(tracebacks) == 3
    assert str(tracebacks[0].exc_info[1]) == "injected grading bug"
    progress = await app.storage.progress_for("alice")
    assert progress == []  # our fault is not the learner's attempt


async def test_a_job_delivered_again_past_the_attempt_limit_is_finished_without_grading(
    make_service, monkeypatch, verdict_of
) -> None:
    # No consumers: only the reclaimer sees the job, after the visibility timeout (2 s).
    app = await make_service(WorkerPool__concurrency=0)
    calls: list[str] = []

    async def grade(problem, code: str, *, submission_id: str = "") -> dict:
        calls.append(submission_id)
        raise AssertionError("a job past its last attempt must not be graded")

    monkeypatch.setattr(app.grader, "grade", grade)
    sid = "stale" + secrets.token_hex(12)
    await submit(app, sid)
    # Its last allowed attempt was running when that worker died without an ack.
    await app.storage.mark_running(sid, "dead-worker")
    await app.storage.submissions.update_one({"_id": sid}, {"$set": {"attempts": 3}})
    assert [j.submission_id for j in await app.queue.read("dead-worker", block_ms=10)] == [sid]
    doc = await wait_final(app, sid, verdict_of)
    await wait_acked(app)
    assert doc["status"] == "failed" and doc["verdict"] == "internal_error"
    assert doc["message"] == GAVE_UP_MESSAGE
    assert doc["attempts"] == 4 and calls == []


# -------------------------------------------------------------------- the database away


async def test_a_verdict_that_cannot_be_stored_is_kept_and_stored_when_it_can(
    make_service, monkeypatch, verdict_of
) -> None:
    # A long visibility timeout: the verdict must not wait for the job to be claimed again.
    app = await make_service(WorkerPool__visibility_timeout_seconds=120.0)
    real = app.storage.store_verdict
    failures = []

    async def flaky(submission_id: str, result: dict):
        if len(failures) < 3:
            failures.append(submission_id)
            raise ConnectionError("the database is away")
        return await real(submission_id, result)

    monkeypatch.setattr(app.storage, "store_verdict", flaky)
    sid = "flaky" + secrets.token_hex(12)
    started = time.monotonic()
    await submit(app, sid)
    doc = await wait_final(app, sid, verdict_of)
    assert doc["verdict"] == "passed" and len(failures) == 3
    assert time.monotonic() - started < 15
    await wait_acked(app)


def pid_command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


async def test_a_frozen_database_fails_new_work_fast_and_delays_verdicts_only_seconds(
    make_service, tmp_path: Path, verdict_of
) -> None:
    from hub_config.devstack import Stack

    from ...conftest import new_instance

    database = Stack(state_dir=tmp_path / "db", instance=new_instance())
    database.start_mongodb()
    pid = database.pids["mongodb"]
    assert "secantusd" in pid_command(pid), "freeze the database server itself"
    try:
        app = await make_service(
            mongodb_uri=database.mongodb_uri,
            mongodb_timeout_seconds=2.0,
            WorkerPool__visibility_timeout_seconds=120.0,
            Admission__rate_per_minute=0,
        )
        ids = [f"frozen{n}" + secrets.token_hex(8) for n in range(3)]
        for sid in ids:
            await submit(app, sid)
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            code, body, headers = await call(
                app, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
            )
            assert code == 503 and headers.get("Retry-After"), body
            assert time.monotonic() - started < 5
            code, ready, _ = await call(app, "GET", "/health/ready", token=None)
            assert code == 503 and ready["checks"]["mongodb"] != "ok"
            await asyncio.sleep(6)  # the workers grade, and cannot store
        finally:
            os.kill(pid, signal.SIGCONT)
        back = time.monotonic()
        for sid in ids:
            doc = await wait_final(app, sid, verdict_of)
            assert doc["verdict"] == "passed"
        assert time.monotonic() - back < 15, "verdicts land seconds after the database is back"
    finally:
        os.kill(pid, signal.SIGCONT)
        database.down()
