"""One problem from JupyterLab to a graded verdict, through the real parts: JupyterHub
with DockerSpawner, the proxy, the server extension inside the learner's container, the
grading service, Redis, the MongoDB-protocol server and Docker sandboxes."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import docker
import pytest

from hub_config import firewall
from hub_config.devstack import Stack

from ..conftest import hub_api
from ..conftest import hub_request as request

LEARNERS = ("e2ealice", "e2ebob")  # no characters DockerSpawner escapes in names
CORRECT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"


@pytest.fixture(scope="module")
def learners(hub_stack: Stack) -> dict[str, str]:
    """Two learners with running servers; their tokens for the extension and the grader."""
    tokens = {}
    for name in LEARNERS:
        status, _ = hub_api(hub_stack, "POST", f"/users/{name}")
        assert status in (201, 409)
        status, body = hub_api(hub_stack, "POST", f"/users/{name}/server")
        assert status in (201, 202), body
    for name in LEARNERS:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            _, user = hub_api(hub_stack, "GET", f"/users/{name}")
            if user["servers"].get("", {}).get("ready"):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"server of {name} did not start")
        status, token = hub_api(
            hub_stack,
            "POST",
            f"/users/{name}/tokens",
            {
                "scopes": [f"access:servers!user={name}", "access:services!service=grader"],
                "note": "e2e test",
            },
        )
        assert status == 201, token
        tokens[name] = token["token"]
    return tokens


def ext(name: str, path: str) -> str:
    return f"/user/{name}/coderunner/api/{path}"


def test_learner_lists_opens_submits_and_reads_verdicts_and_progress(
    hub_stack, learners, verdict_of
):
    name, token = LEARNERS[0], learners[LEARNERS[0]]
    status, listing = request(hub_stack, "GET", ext(name, "problems"), token)
    assert status == 200, listing
    assert len(listing["problems"]) >= 3

    image = urllib.request.urlopen(
        urllib.request.Request(
            f"{hub_stack.hub_url}{ext(name, 'problems/robot-greeting/assets/robo.png')}",
            headers={"Authorization": f"token {token}"},
        ),
        timeout=30,
    )
    assert image.headers["Content-Type"] == "image/png" and image.read(4) == b"\x89PNG"

    status, opened = request(
        hub_stack, "POST", ext(name, "problems/add-two/open"), token, {"format": "notebook"}
    )
    assert status in (200, 201), opened
    path = opened["path"]
    status, model = request(hub_stack, "GET", f"/user/{name}/api/contents/{path}", token)
    assert status == 200
    cells = model["content"]["cells"]
    assert "Add two numbers" in cells[0]["source"] and "def add" in cells[1]["source"]

    # The learner writes a correct answer in the notebook and submits the file.
    cells[1]["source"] = CORRECT
    status, _ = request(
        hub_stack,
        "PUT",
        f"/user/{name}/api/contents/{path}",
        token,
        {"type": "notebook", "format": "json", "content": model["content"]},
    )
    assert status == 200
    status, accepted = request(
        hub_stack, "POST", ext(name, "submissions"), token, {"problem_id": "add-two", "path": path}
    )
    assert status == 202, accepted
    extension = f"{hub_stack.hub_url}/user/{name}/coderunner"
    right = asyncio.run(verdict_of(extension, accepted["id"], token))
    assert right["verdict"] == "passed" and right["score"] == right["max_score"] > 0
    assert all(t["status"] == "pass" for t in right["tests"])

    status, accepted = request(
        hub_stack, "POST", ext(name, "submissions"), token, {"problem_id": "add-two", "code": WRONG}
    )
    assert status == 202, accepted
    wrong = asyncio.run(verdict_of(extension, accepted["id"], token))
    assert wrong["verdict"] == "failed" and wrong["score"] < wrong["max_score"]
    assert {t["visibility"] for t in wrong["tests"]} == {"public", "hidden"}
    assert all(t["message"] == "" for t in wrong["tests"] if t["visibility"] == "hidden")

    status, progress = request(hub_stack, "GET", ext(name, "progress"), token)
    assert status == 200
    entry = next(p for p in progress["problems"] if p["problem_id"] == "add-two")
    assert entry["attempts"] == 2 and entry["solved"] and entry["best_score"] == 10

    # Another learner cannot read it, not even through the grader directly.
    other = learners[LEARNERS[1]]
    status, _ = request(
        hub_stack, "GET", f"/services/grader/api/submissions/{accepted['id']}", other
    )
    assert status == 404


def exec_in(container, code: str) -> str:
    result = container.exec_run(["python3", "-c", code], user="1000")
    return result.output.decode()


PROBE = """
import socket
def probe(host, port):
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect((host, port)); return "open"
    except OSError as e:
        return "blocked"
for host, port in TARGETS:
    print(host, port, probe(host, int(port)))
"""


def probe(container, targets: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    code = f"TARGETS = {targets!r}\n" + PROBE
    out = exec_in(container, code)
    results = {}
    for line in out.strip().splitlines():
        host, port, state = line.split()
        results[(host, int(port))] = state
    return results


def test_learner_container_reaches_hub_and_grader_only(
    hub_stack, learners, internet_standin, host_listener
):
    client = docker.from_env()
    me = client.containers.get(f"coderunner-{hub_stack.instance}-{LEARNERS[0]}")
    peer = client.containers.get(f"coderunner-{hub_stack.instance}-{LEARNERS[1]}")
    peer_ip = peer.attrs["NetworkSettings"]["Networks"][hub_stack.network]["IPAddress"]
    gateway = hub_stack.gateway_ip
    host_ports = {
        "redis": urlsplit(hub_stack.redis_url).port,
        "mongodb": urlsplit(hub_stack.mongodb_uri).port,
        "proxy API": hub_stack.proxy_api_port,
        "a listener on all host addresses": host_listener.port,
    }
    targets = [
        (internet_standin.ip, internet_standin.port),
        (peer_ip, 8888),
        (gateway, hub_stack.hub_port),
        (gateway, hub_stack.grader_port),
        *((gateway, port) for port in host_ports.values()),
    ]
    results = probe(me, targets)
    assert results[(internet_standin.ip, internet_standin.port)] == "blocked", "the internet"
    assert results[(peer_ip, 8888)] == "blocked", "learners must not reach each other"
    for what, port in host_ports.items():
        assert results[(gateway, port)] == "blocked", f"the host's {what} port"
    assert results[(gateway, hub_stack.hub_port)] == "open"
    assert results[(gateway, hub_stack.grader_port)] == "open"


def test_learner_network_is_internal_without_container_to_container_traffic(hub_stack):
    net = docker.from_env().networks.get(hub_stack.network)
    assert net.attrs["Internal"] is True
    assert net.attrs["Options"]["com.docker.network.bridge.enable_icc"] == "false"
    assert firewall.is_applied(hub_stack.instance)


def test_no_hidden_tests_or_solutions_anywhere_in_the_learner_container(hub_stack, learners):
    client = docker.from_env()
    me = client.containers.get(f"coderunner-{hub_stack.instance}-{LEARNERS[0]}")
    root = hub_stack.state_dir  # noqa: F841 - the content folder lives on the host only
    markers = [
        "assertAlmostEqual(add(0.1, 0.2), 0.3)",
        "add(10**12, 10**12)",
        "TestCountVowels",
        "FizzBuzz\\n16\\n17",
    ]
    names = ["tests_hidden.py", "tests_hidden.json", "solution.py"]
    code = f"""
import os
markers = {[m.encode() for m in markers]!r}
names = {names!r}
found = []
for dirpath, dirs, files in os.walk("/"):
    if dirpath in ("/proc", "/sys", "/dev"):
        dirs[:] = []
        continue
    for f in files:
        path = os.path.join(dirpath, f)
        if f in names:
            found.append(path)
            continue
        try:
            if os.path.islink(path) or os.path.getsize(path) > 5_000_000:
                continue
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if any(m in data for m in markers):
            found.append(path)
print("FOUND", found)
"""
    result = me.exec_run(["python3", "-c", code], user="0")
    out = result.output.decode()
    assert "FOUND []" in out, out
    env = me.attrs["Config"]["Env"]
    assert not [
        e for e in env if e.startswith(("MONGODB_URI", "REDIS_URL", "CODERUNNER_ADMIN_TOKEN"))
    ]
