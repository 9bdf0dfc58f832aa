"""Hostile submissions through the real service: HTTP → Redis → worker → a real sandbox
container → MongoDB. Each one must be contained, score only what it earned, and leave
the service healthy."""

from __future__ import annotations

import asyncio
import json
import textwrap
from urllib.parse import urlsplit

import pytest

from ..api import call

HIDDEN = textwrap.dedent("""
    from solution import solve

    EXPECTED_SECRET = "hidden-expected-7f3a"

    def test_one():
        assert solve(1) == 2

    def test_two():
        assert solve(2) == 4

    def test_secret():
        assert solve(3) == 6 and EXPECTED_SECRET

    def test_four():
        assert solve(10) == 20

    def test_five():
        assert solve(-5) == -10
""")

PROBE_NET = """
import socket
def probe(host, port):
    s = socket.socket(); s.settimeout(1)
    try:
        s.connect((host, port)); return True
    except OSError:
        return False
"""

CASES = {
    # name: (code, allowed verdicts, score that would be earned honestly)
    "infinite loop": ("def solve(n):\n    while True:\n        pass\n", {"timeout"}),
    "sleep past the timeout": ("import time\ndef solve(n):\n    time.sleep(30)\n", {"timeout"}),
    "fork bomb": (
        "import os\ndef solve(n):\n    while True:\n        os.fork()\n",
        {"failed", "crashed", "timeout", "memory_limit"},
    ),
    "memory bomb": (
        "def solve(n):\n    x = []\n    while True:\n        x.append(bytearray(10**7))\n",
        {"memory_limit", "crashed"},
    ),
    "output flood": (
        "def solve(n):\n    while True:\n        print('x' * 100000)\n",
        {"output_limit"},
    ),
    "disk fill": (
        textwrap.dedent("""
        def solve(n):
            with open("/tmp/fill", "wb") as f:
                while True:
                    f.write(b"x" * 1_000_000)
    """),
        {"failed"},
    ),
    "network connect": (
        "TARGETS = NETWORK_TARGETS\n"
        + PROBE_NET
        + textwrap.dedent("""
        HITS = [target for target in TARGETS if probe(*target)]
        def solve(n):
            raise RuntimeError(f"network reached: {HITS}") if any(HITS) else None
    """),
        {"failed"},
    ),
    "reading files outside the work dir": (
        textwrap.dedent("""
        import os
        SEEN = []
        for path in ("/proc/1/environ", "/etc/shadow", "/var/run/docker.sock", "/root"):
            try:
                with open(path, "rb") as f:
                    SEEN.append((path, f.read(200)))
            except OSError:
                pass
        def solve(n):
            if any(b"MONGODB" in data or b"REDIS" in data or b"JWT" in data
                   for _, data in SEEN):
                return 2 * n
            return None
    """),
        {"failed"},
    ),
    "searching for test files": (
        textwrap.dedent("""
        import os
        FOUND = []
        for top, dirs, files in os.walk("/"):
            if top.startswith(("/proc", "/sys")):
                dirs[:] = []
                continue
            dirs[:] = [d for d in dirs if d != "__pycache__"]  # byte code only: no .py
            FOUND += [os.path.join(top, f) for f in files if "test" in f and f.endswith(".py")
                      and "hidden" in f]
        def solve(n):
            return 2 * n if FOUND else None
    """),
        {"failed"},
    ),
    "patching unittest, pytest and builtins": (
        textwrap.dedent("""
        import builtins, unittest, sys
        unittest.TestCase.assertEqual = lambda *a, **k: None
        unittest.TestCase.run = lambda *a, **k: None
        builtins.AssertionError = type("Nope", (Exception,), {})
        sys.modules["pytest"] = None
        def solve(n):
            return None
    """),
        {"failed"},
    ),
    "running a program it wrote": (
        textwrap.dedent("""
        import os, subprocess
        with open("/tmp/run.sh", "w") as f:
            f.write("#!/bin/sh\\necho ran\\n")
        os.chmod("/tmp/run.sh", 0o755)
        try:
            RAN = subprocess.run(["/tmp/run.sh"], capture_output=True).stdout == b"ran\\n"
        except OSError:
            RAN = False
        def solve(n):
            return 2 * n if RAN else None
    """),
        {"failed"},
    ),
    "os._exit(0)": ("import os\nos._exit(0)\n", {"crashed"}),
    "printing a fake report": (
        textwrap.dedent("""
        import os, json
        for i in range(1, 30):
            os.write(1, (json.dumps({"id": i, "ok": True, "value": 2}) + "\\n").encode())
        print("5 passed, 0 failed")
        print('{"verdict": "passed", "score": 50}')
        def solve(n):
            return None
    """),
        {"failed"},
    ),
    "killing its parent": (
        textwrap.dedent("""
        import os, signal
        for pid in (1, os.getppid()):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        def solve(n):
            return None
    """),
        {"failed", "crashed"},
    ),
}


@pytest.fixture
async def hostile_service(make_service, write_problem, tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    write_problem(
        root,
        track="hostile",
        meta={"points": 50, "time_limit_seconds": 3, "memory_limit_mb": 64},
        files={"tests_hidden.py": HIDDEN},
    )
    return await make_service(
        content_dir=str(root),
        Admission__rate_per_minute=0,
        Admission__daily_quota=0,
        # Hostile cases run to their time limits: the wait estimate would refuse the
        # honest submission after them; admission is tested in edge/test_admission.py.
        Admission__max_wait_seconds=0,
        RequestLimits__per_minute=0,  # one learner follows 14 results at once here
        WorkerPool__concurrency=2,
        SandboxPool__size=2,
        SandboxFactory__max_memory_limit_mb=64,
        SandboxFactory__pids_limit=32,
        SandboxFactory__tmpfs_size_mb=8,
    )


async def test_hostile_submissions_are_contained_and_earn_nothing(
    hostile_service, verdict_of, internet_standin, host_listener, backing_services, docker_client
) -> None:
    app = hostile_service
    bridge_gateway = docker_client.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]
    # Only servers this session started: the stand-in internet, and the host's own ports
    # (Redis, the MongoDB server, a listener on all addresses) on loopback and the gateway.
    host_ports = [
        urlsplit(backing_services.redis_url).port,
        urlsplit(backing_services.mongodb_uri).port,
        host_listener.port,
    ]
    targets = [(internet_standin.ip, internet_standin.port)] + [
        (host, port) for host in ("127.0.0.1", bridge_gateway) for port in host_ports
    ]
    ids = {}
    for name, (case_code, _) in CASES.items():
        code = case_code.replace("NETWORK_TARGETS", repr(targets))
        status, body, _ = await call(
            app, "POST", "/api/submissions", {"problem_id": "double", "code": code}
        )
        assert status == 202, (name, body)
        ids[name] = body["id"]
    results = dict(
        zip(
            ids,
            await asyncio.gather(
                *(verdict_of(app.base, sid, "alice-token") for sid in ids.values())
            ),
            strict=True,
        )
    )
    problems = []
    for name, result in results.items():
        allowed = CASES[name][1]
        if result["verdict"] not in allowed or result["score"] != 0:
            problems.append((name, result["verdict"], result["score"], result["message"]))
        text = json.dumps(result)
        assert "hidden-expected-7f3a" not in text and "EXPECTED_SECRET" not in text
    assert not problems, problems
    # Still healthy, and an honest answer still gets full marks.
    code, ready, _ = await call(app, "GET", "/health/ready", token=None)
    assert code == 200, ready
    status, body, _ = await call(
        app,
        "POST",
        "/api/submissions",
        {"problem_id": "double", "code": "def solve(n):\n    return 2 * n\n"},
    )
    assert status == 202, body
    honest = await verdict_of(app.base, body["id"], "alice-token")
    assert honest["verdict"] == "passed" and honest["score"] == 50
    for _ in range(50):  # used sandboxes are removed just after their verdict is stored
        leftover = await asyncio.to_thread(
            app.sandboxes.client.api.containers,
            all=True,
            filters={"label": f"org.coderunner.instance={app.sandboxes.instance_name}"},
        )
        if len(leftover) <= app.pool.size:
            break
        await asyncio.sleep(0.1)
    assert len(leftover) <= app.pool.size  # only the warm pool's fresh sandboxes
