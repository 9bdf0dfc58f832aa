"""The grading service as a real process: a worker killed mid-job loses nothing and
grades nothing twice; SIGTERM finishes jobs in flight and leaves no sandbox behind."""

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

from grading_service.storage import Storage
from grading_service.tokens import mint, validate_secret
from hub_config.devstack import free_port, wait_http

from ..conftest import new_instance

SLOW = "import time\ntime.sleep(3)\n\ndef solve(n):\n    return 2 * n\n"
HIDDEN = "from solution import solve\n\ndef test_one():\n    assert solve(1) == 2\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    d = tmp_path / "content" / "t" / "level-1" / "double"
    d.mkdir(parents=True)
    (d / "problem.json").write_text(json.dumps({
        "id": "double", "title": "Double", "track": "t", "level": 1, "points": 10,
        "kind": "function", "time_limit_seconds": 20}))
    (d / "statement.md").write_text("Double.")
    (d / "starter.py").write_text("def solve(n):\n    pass\n")
    (d / "tests_hidden.py").write_text(HIDDEN)
    return tmp_path / "content"


class GraderProcess:
    def __init__(self, env: dict, tmp: Path, name: str) -> None:
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grading_service", "grader",
             "--WorkerPool.visibility_timeout_seconds=2", "--SandboxPool.size=1"],
            env={**env, "CODERUNNER_GRADER_PORT": str(self.port)},
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
        wait_http(f"http://127.0.0.1:{self.port}/health", 30, proc=self.proc, log=self.log)

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=json.dumps(body).encode() if body else None,
            headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())


@pytest.fixture
def grader_env(backing_services, sandbox_image, content: Path) -> dict:
    secret = secrets.token_hex(32)
    return {
        **os.environ,
        "MONGODB_URI": backing_services.mongodb_uri, "REDIS_URL": backing_services.redis_url,
        "CODERUNNER_DB": f"t{secrets.token_hex(4)}",
        "CODERUNNER_STREAM": f"jobs:{secrets.token_hex(4)}",
        "CODERUNNER_CONTENT_DIR": str(content), "CODERUNNER_SANDBOX_IMAGE": sandbox_image,
        "CODERUNNER_INSTANCE": new_instance(), "CODERUNNER_GRADER_IP": "127.0.0.1",
        "CODERUNNER_JWT_SECRET": secret,
        "JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api", "JUPYTERHUB_API_TOKEN": "unused",
    }


def token_for(env: dict) -> str:
    return mint(validate_secret(env["CODERUNNER_JWT_SECRET"]), "batch", role="grader",
                lifetime_seconds=600, issuer="coderunner", audience="coderunner-grader")


def wait_status(grader: GraderProcess, token: str, sid: str, wanted: set[str],
                timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = grader.call("GET", f"/api/submissions/{sid}", token)
        if body["status"] in wanted:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{sid} never reached {wanted}")


def sandboxes(env: dict) -> list:
    return docker.from_env().api.containers(
        all=True, filters={"label": f"org.coderunner.instance={env['CODERUNNER_INSTANCE']}"})


def test_worker_killed_mid_job_still_ends_with_exactly_one_verdict(grader_env, tmp_path):
    token = token_for(grader_env)
    first = GraderProcess(grader_env, tmp_path, "first")
    sid = first.call("POST", "/api/submissions", token,
                     {"problem_id": "double", "code": SLOW})["id"]
    wait_status(first, token, sid, {"running"})
    first.proc.kill()  # SIGKILL: no clean-up, the job stays pending in the stream
    first.proc.wait()
    second = GraderProcess(grader_env, tmp_path, "second")
    try:
        result = wait_status(second, token, sid, {"graded", "failed"})
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
    token = token_for(grader_env)
    grader = GraderProcess(grader_env, tmp_path, "graceful")
    sid = grader.call("POST", "/api/submissions", token,
                      {"problem_id": "double", "code": SLOW})["id"]
    wait_status(grader, token, sid, {"running"})
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
