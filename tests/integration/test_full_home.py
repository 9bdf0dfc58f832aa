"""What happens when a learner's home fills up, on a real learner container whose home is
a small size-capped volume: the learner is told their space is full when they save, the
panel's space line knows it, their server and their submissions keep working, and
everything works again once they delete something."""

from __future__ import annotations

import asyncio
import time

import docker
import pytest

from hub_config.devstack import Stack
from hub_config.settings import home_volume_prefix

from ..conftest import hub_api, hub_request

USER = "fullhome"
HOME_MB = 8


def request(stack: Stack, method: str, path: str, token: str, body: dict | None = None):
    """A call to the learner's own server."""
    return hub_request(stack, method, f"/user/{USER}/{path}", token, body)


@pytest.fixture(scope="module")
def full_home(hub_stack: Stack):
    """The learner's server, with an 8 MB home (a tmpfs volume made before the first
    spawn, so DockerSpawner mounts it as their home), and a token for their server."""
    client = docker.from_env()
    volume = client.volumes.create(
        f"{home_volume_prefix(hub_stack.instance)}{USER}",
        driver="local",
        driver_opts={"type": "tmpfs", "device": "tmpfs", "o": f"size={HOME_MB}m,uid=1000"},
        labels={"org.coderunner.instance": hub_stack.instance},
    )
    status, _ = hub_api(hub_stack, "POST", f"/users/{USER}")
    assert status in (201, 409)
    status, body = hub_api(hub_stack, "POST", f"/users/{USER}/server")
    assert status in (201, 202), body
    deadline = time.monotonic() + 120
    while True:
        _, user = hub_api(hub_stack, "GET", f"/users/{USER}")
        if user["servers"].get("", {}).get("ready"):
            break
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.5)
    status, token = hub_api(
        hub_stack,
        "POST",
        f"/users/{USER}/tokens",
        {"scopes": [f"access:servers!user={USER}", "access:services!service=grader"]},
    )
    assert status == 201, token
    container = client.containers.get(f"coderunner-{hub_stack.instance}-{USER}")
    yield container, token["token"]
    hub_api(hub_stack, "DELETE", f"/users/{USER}/server")
    for _ in range(60):
        try:
            volume.remove(force=True)
            break
        except docker.errors.APIError:
            time.sleep(0.5)  # still mounted while the container goes


def test_a_full_home_is_reported_and_nothing_else_breaks(hub_stack, full_home, verdict_of):
    container, token = full_home
    # Learner code fills the home from a kernel (which no save hook sees).
    filled = container.exec_run(
        [
            "python3",
            "-c",
            "f = open('/home/learner/filler.bin', 'wb')\n"
            "try:\n    while True: f.write(b'x' * 65536); f.flush()\n"
            "except OSError as e: print('stopped:', e.strerror)",
        ],
        user="1000",
    )
    assert b"No space left on device" in filled.output, filled.output

    status, space = request(hub_stack, "GET", "coderunner/api/space", token)
    assert status == 200 and space["free_bytes"] < 64 * 1024, space

    status, body = request(
        hub_stack,
        "PUT",
        "api/contents/new-work.py",
        token,
        {"type": "file", "format": "text", "content": "print('hello')\n" * 20_000},
    )
    assert status == 507, body
    assert body["message"].startswith("Your space is full"), body

    # The server still answers, and a submission does not need room in the home.
    status, listing = request(hub_stack, "GET", "api/contents/", token)
    assert status == 200 and "filler.bin" in {item["name"] for item in listing["content"]}
    status, ticket = request(
        hub_stack,
        "POST",
        "coderunner/api/submissions",
        token,
        {"problem_id": "add-two", "code": "def add(a, b):\n    return a + b\n"},
    )
    assert status == 202, ticket
    result = asyncio.run(
        verdict_of(f"{hub_stack.hub_url}/user/{USER}/coderunner", ticket["id"], token)
    )
    assert result["verdict"] == "passed"

    # Deleting the big file makes room again.
    status, _ = request(hub_stack, "DELETE", "api/contents/filler.bin", token)
    assert status == 204
    status, body = request(
        hub_stack,
        "PUT",
        "api/contents/new-work.py",
        token,
        {"type": "file", "format": "text", "content": "print('hello')\n"},
    )
    assert status in (200, 201), body
    status, space = request(hub_stack, "GET", "coderunner/api/space", token)
    assert space["free_bytes"] > HOME_MB * 1024 * 1024 // 2
