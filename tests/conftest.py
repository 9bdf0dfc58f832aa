"""Shared fixtures: the real parts (Docker, Redis, a MongoDB-protocol server, JupyterHub),
started once per test session in a temporary folder on free loopback ports, and cleaned
up at the end."""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.request
from pathlib import Path

import docker
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hub_config.devstack import Stack, free_port  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"
SESSION = secrets.token_hex(2)


def new_instance() -> str:
    """A Docker label value for one test's containers; all share this session's prefix,
    so the session can remove whatever a failing test left behind."""
    return f"t{SESSION}{secrets.token_hex(2)}"


@pytest.fixture(scope="session", autouse=True)
def remove_leftover_containers():
    yield
    try:
        client = docker.from_env()
        for container in client.api.containers(
            all=True, filters={"label": "org.coderunner.instance"}
        ):
            if container["Labels"].get("org.coderunner.instance", "").startswith(f"t{SESSION}"):
                client.api.remove_container(container["Id"], force=True)
    except docker.errors.DockerException:
        pass


# What a fixture needs from outside the test process. A test is marked with the needs of
# every fixture it uses, directly or through other fixtures, and `integration` when it
# has any: `make unit` runs `pytest -m "not integration"` (markers in pyproject.toml).
FIXTURE_NEEDS = {
    "docker_client": ("docker",),
    "sandbox_image": ("docker",),
    "backing_services": ("redis", "mongodb"),
    "make_service": ("docker", "redis", "mongodb"),
    "hub_stack": ("hub", "docker", "redis", "mongodb"),
    "browser": ("browser",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        needs = {need for name in fixtures for need in FIXTURE_NEEDS.get(name, ())}
        for need in sorted(needs):
            item.add_marker(getattr(pytest.mark, need))
        if needs:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    client = docker.from_env()
    client.ping()
    return client


@pytest.fixture(scope="session")
def sandbox_image(docker_client: docker.DockerClient) -> str:
    """The image built by `make image` (sandbox_kernel_image/build.sh)."""
    image = os.environ.get("CODERUNNER_SANDBOX_IMAGE")
    if not image:
        marker = ROOT / ".state" / "sandbox-image"
        if not marker.exists():
            pytest.fail("no sandbox image: run `make image` (make test does it for you)")
        image = marker.read_text().strip()
    docker_client.images.get(image)
    return image


@pytest.fixture(scope="session")
def backing_services(tmp_path_factory: pytest.TempPathFactory):
    """A real Redis server and a real SecantusDB (MongoDB wire protocol) server."""
    stack = Stack(state_dir=tmp_path_factory.mktemp("backing"), instance=new_instance())
    stack.start_redis()
    stack.start_mongodb()
    yield stack
    stack.down()


@pytest.fixture(scope="session")
def hub_stack(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str):
    """The whole platform: JupyterHub + proxy + grading service + Redis + MongoDB server."""
    instance = new_instance()
    stack = Stack(
        state_dir=tmp_path_factory.mktemp("stack"),
        instance=instance,
        network=f"coderunner-{instance}",
        public_port=free_port(),
        proxy_api_port=free_port(),
        hub_port=free_port(),
        grader_port=free_port(),
        image=sandbox_image,
        demo_password=secrets.token_hex(8),
    )
    stack.up()
    yield stack
    logs = stack.logs
    stack.down()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for log in logs.glob("*.log"):
        (ARTIFACTS / f"stack-{log.name}").write_bytes(log.read_bytes()[-200_000:])


def hub_api(
    stack: Stack, method: str, path: str, body: dict | None = None, token: str | None = None
) -> tuple[int, dict | None]:
    req = urllib.request.Request(
        f"{stack.hub_url}/hub/api{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token or stack.admin_token}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read()
            return resp.status, json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        text = exc.read()
        return exc.code, json.loads(text) if text else None
