"""A grader upgrade without downtime on one server (``docs/upgrade.md``), with real
service processes sharing Redis, MongoDB and the consumer group.

A client submits continuously, some right and some wrong, through a load balancer of its
own (round robin over the live backends; a refused connection takes a backend out, a 503
with Retry-After is tried again on the next one). Mid-way a new process starts beside
the old one and joins the balancer; then the old one gets SIGTERM and drains. Every 202
must end with exactly one verdict, the one the code earned; no answer is a 5xx other
than a 503 with Retry-After; the old process exits 0 within its grace; no job is left
pending in the consumer group.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis as sync_redis
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from grading_service.storage import Storage
from hub_config.devstack import free_port, wait_http

from .processes import grader_process_env, grader_token

RIGHT = "import time\ntime.sleep(0.3)\n\ndef solve(n):\n    return 2 * n\n"
WRONG = "import time\ntime.sleep(0.3)\n\ndef solve(n):\n    return n\n"
SUBMISSIONS = 48
SPACING_SECONDS = 0.4  # ~20 s of submissions
GRACE_SECONDS = 30


class Grader:
    """``coderunner grader`` as a process of its own, as systemd or the hub runs it."""

    def __init__(self, env: dict, tmp: Path, name: str, instance: str) -> None:
        self.name = name
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        self.proc = subprocess.Popen(  # noqa: SIM115 - the log belongs to the child
            [
                sys.executable,
                "-m",
                "grading_service",
                "grader",
                "--SandboxPool.size=1",
                "--Admission.rate_per_minute=0",
                "--Admission.daily_quota=0",
                "--Admission.max_wait_seconds=0",
                "--RequestLimits.per_minute=0",
                "--RequestLimits.staff_per_minute=0",
                f"--GradingService.shutdown_grace_seconds={GRACE_SECONDS}",
            ],
            env={**env, "CODERUNNER_GRADER_PORT": str(self.port), "CODERUNNER_INSTANCE": instance},
            stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{self.base}/health/ready", 60, proc=self.proc, log=self.log)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Balancer:
    """What a load balancer does: round robin over the live backends; a backend that
    refuses connections is taken out; a 503 with Retry-After is tried on the next."""

    def __init__(self, token: str, backend: Grader) -> None:
        self.token = token
        self.backends = [backend]
        self.turn = 0
        self.answers: list[tuple[str, int, str | None]] = []  # (backend, code, Retry-After)
        self.refused = 0

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.backends:
                raise AssertionError("no backend left")
            self.turn += 1
            backend = self.backends[self.turn % len(self.backends)]
            try:
                response = await AsyncHTTPClient().fetch(
                    f"{backend.base}{path}",
                    method=method,
                    headers={"Authorization": f"Bearer {self.token}"},
                    body=json.dumps(body) if body is not None else None,
                    raise_error=False,
                    request_timeout=40,
                )
            except (OSError, HTTPClientError):  # refused or reset: take it out
                self.refused += 1
                if backend in self.backends:
                    self.backends.remove(backend)
                continue
            retry_after = response.headers.get("Retry-After")
            self.answers.append((backend.name, response.code, retry_after))
            if response.code == 503 and retry_after:
                await asyncio.sleep(0.2)
                continue
            return response.code, json.loads(response.body or b"{}")
        raise AssertionError(f"{method} {path}: no answer within 60 s")


@pytest.fixture
def content(tmp_path: Path, write_problem) -> Path:
    write_problem(tmp_path / "content", meta={"time_limit_seconds": 10})
    return tmp_path / "content"


@pytest.fixture
def env(backing_services, sandbox_image, content: Path) -> dict:
    return grader_process_env(backing_services, sandbox_image, content)


async def test_rolling_upgrade_loses_no_submission(
    env, tmp_path, new_instance_name, backing_services
) -> None:
    old = Grader(env, tmp_path, "old", new_instance_name())
    new: Grader | None = None
    lb = Balancer(grader_token(env), old)
    accepted: dict[str, str] = {}  # submission id -> the verdict it earned
    seen: dict[str, list[str]] = {}  # submission id -> final verdicts the client saw

    async def follow(sid: str) -> None:
        while True:
            code, body = await lb.request("GET", f"/api/submissions/{sid}?wait=5")
            assert code == 200, (code, body)
            if body["status"] in ("graded", "failed"):
                seen.setdefault(sid, []).append(body["verdict"])
                return

    async def submit_continuously() -> list[asyncio.Task]:
        followers = []
        for n in range(SUBMISSIONS):
            right = n % 3 != 0
            code = (RIGHT if right else WRONG) + f"# {n}\n"
            status, body = await lb.request(
                "POST", "/api/submissions", {"problem_id": "double", "code": code}
            )
            assert status == 202, (status, body)
            accepted[body["id"]] = "passed" if right else "failed"
            followers.append(asyncio.create_task(follow(body["id"])))
            await asyncio.sleep(SPACING_SECONDS)
        return followers

    try:
        client = asyncio.create_task(submit_continuously())
        await asyncio.sleep(6)
        new = await asyncio.to_thread(Grader, env, tmp_path, "new", new_instance_name())
        lb.backends.append(new)  # both serve, on one consumer group
        await asyncio.sleep(2)
        old.proc.send_signal(signal.SIGTERM)
        sigterm = time.monotonic()
        exit_code = await asyncio.to_thread(old.proc.wait, GRACE_SECONDS + 15)
        drain_seconds = time.monotonic() - sigterm
        followers = await client
        await asyncio.wait_for(asyncio.gather(*followers), 120)
    finally:
        old.stop()
        if new is not None:
            new.proc.send_signal(signal.SIGTERM)
            new.proc.wait(GRACE_SECONDS + 15)

    old_log = (tmp_path / "old.log").read_text()
    assert exit_code == 0, old_log[-3000:]
    assert drain_seconds < GRACE_SECONDS, drain_seconds
    assert "drained in" in old_log

    # No 5xx but a 503 with Retry-After.
    bad = [a for a in lb.answers if a[1] >= 500 and not (a[1] == 503 and a[2])]
    assert bad == [], bad

    # Every 202 got one verdict, the one it earned, graded once.
    assert len(accepted) == SUBMISSIONS
    assert {sid: verdicts[0] for sid, verdicts in seen.items()} == accepted
    assert all(len(v) == 1 for v in seen.values())
    storage = Storage(env["MONGODB_URI"], env["CODERUNNER_DB"])
    try:
        for sid, verdict in accepted.items():
            doc = await storage.get_submission(sid)
            assert doc["status"] == "graded" and doc["verdict"] == verdict, doc
            assert doc["attempts"] == 1, doc  # never graded twice
    finally:
        await storage.close()

    # Nothing pending or waiting in the consumer group.
    r = sync_redis.from_url(backing_services.redis_url, decode_responses=True)
    stream = env["CODERUNNER_STREAM"]
    for s in (stream, f"{stream}:priority", f"{stream}:batch"):
        assert r.xpending(s, "graders")["pending"] == 0, s
        assert r.xlen(s) == 0, s
    r.close()

    by_backend = {name: sum(1 for a in lb.answers if a[0] == name) for name in ("old", "new")}
    refusals = sum(1 for a in lb.answers if a[1] == 503)
    print(
        f"\nrolling upgrade: {len(accepted)} accepted, {len(seen)} verdicts, "
        f"{refusals} answers 503+Retry-After, {lb.refused} connections refused, "
        f"answers by backend {by_backend}, old drained in {drain_seconds:.1f} s"
    )
