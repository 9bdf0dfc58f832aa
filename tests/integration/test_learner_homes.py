"""Learners' work is never lost: a named home volume per learner survives a hub restart
(which does not stop running servers), idle culling and a new container; the rest of a
learner's container is read-only."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request

import docker
import pytest

from hub_config.devstack import Stack
from hub_config.settings import home_volume_prefix

from ..conftest import hub_api, platform_stack

USER = "homeuser"
WORK = "my-work.py"
TEXT = "print('my precious work')\n"


@pytest.fixture(scope="module")
def culling_stack(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str):
    stack = platform_stack(
        tmp_path_factory.mktemp("homes"),
        sandbox_image,
        cull_timeout_seconds=45,
        cull_every_seconds=5,
    )
    stack.up()
    yield stack
    stack.down()


def server_state(stack: Stack) -> dict:
    _, user = hub_api(stack, "GET", f"/users/{USER}")
    return user["servers"].get("", {})


def start_server(stack: Stack) -> None:
    status, body = hub_api(stack, "POST", f"/users/{USER}/server")
    assert status in (201, 202), body
    deadline = time.monotonic() + 120
    while not server_state(stack).get("ready"):
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.5)


def contents(stack: Stack, token: str, method: str = "GET", body: dict | None = None):
    req = urllib.request.Request(
        f"{stack.hub_url}/user/{USER}/api/contents/{WORK}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def read_work(stack: Stack, token: str) -> str | None:
    deadline = time.monotonic() + 30  # the proxy's route may take a moment after a restart
    while True:
        status, body = contents(stack, token)
        if status == 200:
            return body["content"]
        if time.monotonic() > deadline:
            return None
        time.sleep(0.5)


def learner_container(stack: Stack):
    client = docker.from_env()
    found = client.containers.list(
        filters={
            "label": [f"org.coderunner.instance={stack.instance}", "org.coderunner.role=learner"]
        }
    )
    return found[0] if found else None


def test_work_survives_a_hub_restart_culling_and_a_new_container(culling_stack: Stack) -> None:
    stack = culling_stack
    assert hub_api(stack, "POST", f"/users/{USER}")[0] in (201, 409)
    start_server(stack)
    _, token = hub_api(
        stack,
        "POST",
        f"/users/{USER}/tokens",
        {"scopes": [f"access:servers!user={USER}"], "note": "homes test"},
    )
    token = token["token"]
    status, _ = contents(stack, token, "PUT", {"type": "file", "format": "text", "content": TEXT})
    assert status in (200, 201)
    before = learner_container(stack)
    assert before is not None

    # A hub restart leaves the server running, in the same container, and reachable.
    stack.restart_hub()
    assert learner_container(stack).id == before.id
    assert server_state(stack).get("ready")
    assert read_work(stack, token) == TEXT

    # The idle culler stops the server; the home volume stays.
    deadline = time.monotonic() + 150
    while server_state(stack):
        assert time.monotonic() < deadline, "the idle server was not culled"
        time.sleep(2)
    volumes = docker.from_env().volumes.list(filters={"name": home_volume_prefix(stack.instance)})
    assert [v.name for v in volumes] == [home_volume_prefix(stack.instance) + USER]

    # A new container gets the same home.
    start_server(stack)
    after = learner_container(stack)
    assert after.id != before.id
    assert read_work(stack, token) == TEXT

    # Only the home and /tmp are writable.
    assert after.exec_run(["touch", "/opt/venv/x"], user="1000").exit_code != 0
    assert after.exec_run(["touch", "/home/learner/x", "/tmp/x"], user="1000").exit_code == 0
    assert after.attrs["HostConfig"]["ReadonlyRootfs"] is True
    assert after.attrs["Config"]["User"] in ("1000", "")


def test_the_hub_refuses_to_start_without_the_learner_image(
    monkeypatch, tmp_path, docker_client
) -> None:
    from traitlets.config import PyFileConfigLoader

    from hub_config.settings import ROOT

    monkeypatch.setenv("CODERUNNER_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "172.30.0.1")
    monkeypatch.setenv("CODERUNNER_SANDBOX_IMAGE", "coderunner-sandbox:no-such-tag")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secrets.token_hex(32))
    monkeypatch.setenv("CONFIGPROXY_AUTH_TOKEN", secrets.token_hex(32))
    monkeypatch.delenv("CODERUNNER_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("CODERUNNER_CHECK_IMAGE", raising=False)
    loader = PyFileConfigLoader("jupyterhub_config.py", path=str(ROOT / "hub_config"))
    with pytest.raises(SystemExit) as stopped:
        loader.load_config()
    assert "coderunner-sandbox:no-such-tag is missing" in str(stopped.value)
    assert "make image" in str(stopped.value)
