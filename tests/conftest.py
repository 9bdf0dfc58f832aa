"""Shared fixtures: the real parts (Docker, Redis, a MongoDB-protocol server, JupyterHub),
started once per test session in a temporary folder on free loopback ports, and cleaned
up at the end."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import docker
import pytest
from tornado.httpclient import AsyncHTTPClient

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grading_service.records import FINAL_STATUSES  # noqa: E402
from hub_config.devstack import Stack, free_port  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"
SESSION = secrets.token_hex(2)


def new_instance() -> str:
    """A Docker label value for one test's containers; all share this session's prefix,
    so the session can remove whatever a failing test left behind."""
    return f"t{SESSION}{secrets.token_hex(2)}"


@pytest.fixture(scope="session")
def new_instance_name() -> Callable[[], str]:
    """Makes a fresh Docker label value for a test's own sandboxes (see ``new_instance``);
    session-scoped, so module-scoped fixtures can use it too."""
    return new_instance


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
    "redis_server": ("redis",),
    "mongodb_server": ("mongodb",),
    "backing_services": ("redis", "mongodb"),
    "make_service": ("docker", "redis", "mongodb"),
    "hub_stack": ("hub", "docker", "redis", "mongodb"),
    "browser": ("browser",),
    "internet_standin": ("docker",),
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


@dataclass(frozen=True)
class StandIn:
    """A server that a test started, to aim connections at."""

    ip: str
    port: int


@pytest.fixture(scope="session")
def internet_standin(docker_client: docker.DockerClient, sandbox_image: str):
    """A stand-in for the internet: a web server in a container on a separate, ordinary
    (not internal) Docker network. Network tests aim at it, never at a public address;
    it is reachable from the host, so "blocked" from a container means blocked."""
    name = new_instance()
    labels = {"org.coderunner.instance": name}
    net = docker_client.networks.create(f"coderunner-{name}-internet", labels=labels)
    server = docker_client.containers.run(
        sandbox_image,
        ["python3", "-m", "http.server", "8080"],
        detach=True,
        network=net.name,
        labels=labels,
        user="1000",
        working_dir="/tmp",
    )
    try:
        server.reload()
        ip = server.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"]
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((ip, 8080), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield StandIn(ip, 8080)
    finally:
        server.remove(force=True)
        net.remove()


@pytest.fixture(scope="session")
def host_listener():
    """A TCP listener on all of the host's addresses (as an SSH server or a careless
    database would be), which learners must not reach through their gateway."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", 0))
    sock.listen(16)
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.5)
        while not stop.is_set():
            try:
                sock.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield StandIn("0.0.0.0", sock.getsockname()[1])
    stop.set()
    thread.join(2)
    sock.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Redis server (``.redis_url``), for the whole session."""
    stack = Stack(state_dir=tmp_path_factory.mktemp("redis"), instance=new_instance())
    stack.start_redis()
    yield stack
    stack.down()


@pytest.fixture(scope="session")
def mongodb_server(tmp_path_factory: pytest.TempPathFactory):
    """A real SecantusDB server (MongoDB wire protocol, ``.mongodb_uri``), for the whole
    session."""
    stack = Stack(state_dir=tmp_path_factory.mktemp("mongodb"), instance=new_instance())
    stack.start_mongodb()
    yield stack
    stack.down()


@pytest.fixture(scope="session")
def backing_services(redis_server: Stack, mongodb_server: Stack, tmp_path_factory) -> Stack:
    """Both servers: ``.redis_url`` and ``.mongodb_uri``."""
    return Stack(
        state_dir=tmp_path_factory.mktemp("backing"),
        instance=new_instance(),
        redis_url=redis_server.redis_url,
        mongodb_uri=mongodb_server.mongodb_uri,
    )


# Below tornado's default request timeout (20 s), so a long poll is never cut off.
LONG_POLL_SECONDS = 10


async def follow_to_verdict(
    base_url: str, submission_id: str, token: str, *, timeout_seconds: float = 120.0
) -> dict:
    """The submission once it has a verdict, followed with long polls
    (``GET {base_url}/api/submissions/{id}?wait=N``): each request returns as soon as the
    verdict is stored, or after N seconds, and then the next one is sent."""
    url = f"{base_url}/api/submissions/{quote(submission_id, safe='')}?wait={LONG_POLL_SECONDS}"
    deadline = time.monotonic() + timeout_seconds
    body: dict = {}
    while time.monotonic() < deadline:
        response = await AsyncHTTPClient().fetch(
            url, headers={"Authorization": f"token {token}"}, raise_error=False
        )
        if response.code in (429, 503) and response.headers.get("Retry-After"):
            # Busy, or already following several results: wait as told, as the front
            # end does (labextension/src/follow.ts).
            await asyncio.sleep(min(float(response.headers["Retry-After"]), 5.0))
            continue
        assert response.code == 200, (response.code, response.body[:1000])
        body = json.loads(response.body)
        if body["status"] in FINAL_STATUSES:
            return body
    raise AssertionError(f"no verdict for {submission_id} in {timeout_seconds:g} s: {body}")


@pytest.fixture(scope="session")
def verdict_of() -> Callable[..., Awaitable[dict]]:
    """``await verdict_of(base_url, submission_id, token)``: the one way tests follow a
    submission to its verdict, whether they talk to the grading service directly
    (``base_url`` = the service) or through the learner's server extension
    (``base_url`` = ``/user/<name>/coderunner``). From a test that is not async:
    ``asyncio.run(verdict_of(...))``."""
    return follow_to_verdict


def platform_stack(state_dir: Path, image: str, **settings: object) -> Stack:
    """A whole platform of this test session's own (free ports, its own network and
    labels, demo sign-in, homes removed at `down`); `settings` override Stack fields."""
    instance = new_instance()
    return Stack(
        **{
            "state_dir": state_dir,
            "instance": instance,
            "network": f"coderunner-{instance}",
            "public_port": free_port(),
            "proxy_api_port": free_port(),
            "hub_port": free_port(),
            "grader_port": free_port(),
            "image": image,
            "demo_password": secrets.token_hex(8),
            "remove_homes": True,
            **settings,
        }  # type: ignore[arg-type]
    )


@contextmanager
def running(stack: Stack, name: str) -> Iterator[Stack]:
    """Start the stack; afterwards stop it and keep the end of its logs in
    tests/artifacts/<name>-<log>.log."""
    try:
        stack.up()
        yield stack
    finally:
        logs = stack.logs
        stack.down()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for log in logs.glob("*.log"):
            (ARTIFACTS / f"{name}-{log.name}").write_bytes(log.read_bytes()[-200_000:])


@pytest.fixture(scope="session")
def hub_stack(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str):
    """The whole platform: JupyterHub + proxy + grading service + Redis + MongoDB server."""
    stack = platform_stack(
        tmp_path_factory.mktemp("stack"), sandbox_image, cohorts="class-x,class-y"
    )
    with running(stack, "stack"):
        yield stack


def self_signed_certificate(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (PEM files in ``folder``), for HTTPS tests."""
    cert, key = folder / "hub.crt", folder / "hub.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def hub_request(
    stack: Stack, method: str, path: str, token: str, body: dict | None = None
) -> tuple[int, Any]:
    """(status, JSON answer) of a request to ``path`` under the stack's public URL with a
    user's token: the hub, a learner's server, or the grading service behind the proxy."""
    req = urllib.request.Request(
        f"{stack.hub_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60, context=stack.ssl_context) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`), for one test
    module. Skipped only where Chromium is missing outside CI; `make test` installs it."""
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def shot(page, name: str) -> Path:
    """A screenshot of what the user sees, in tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


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
