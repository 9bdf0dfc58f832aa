"""The grading service's dependencies failing under it, through real processes: Redis
stopped and started again during grading, the MongoDB-protocol server stopped and started
again, a Docker daemon (one of the test's own) stopped and started again, the service
restarted with jobs queued, and the disk under Redis and the database filling up.

For each fault, as the issue asks:
- ``/health/ready`` answers 503 and names the dependency while it is down;
- new work gets a 503 with Retry-After within 5 s, never a 500;
- after recovery every accepted submission gets its verdict within 15 s (and a
  verdict the learner earned: no fault of ours turns into a learner's ``crashed``).

Elsewhere: a frozen database and a worker killed with SIGKILL
(jobs/test_worker_faults.py), the hub restarted while learners work
(integration/test_learner_homes.py), a sandbox's /tmp filled by the learner
(grading/test_hostile_submissions.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from hub_config.devstack import free_port, wait_port

from .api import call

# Slow enough that some jobs are still running when the fault hits.
SLOW_ADD = "import time\ntime.sleep(0.4)\n\ndef add(a, b):\n    return a + b\n"
LEARNERS = ["ana", "ben", "cai", "dev"]


# ---------------------------------------------------------------- real processes
class Server:
    """A dependency in a process of its own, on a fixed port, so that it can be stopped
    and started again where its clients expect it."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path) -> None:
        self.name, self.argv, self.port, self.log = name, argv, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self.proc = subprocess.Popen(  # noqa: SIM115 - the log belongs to the child
            self.argv, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT
        )
        wait_port(self.port, timeout, self.proc, self.log)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def redis_server(data: Path, log: Path) -> Server:
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data)]
    argv += ["--appendonly", "yes", "--save", "", "--maxmemory", "64mb"]
    argv += ["--maxmemory-policy", "noeviction"]
    return Server("redis", argv, port, log)


def mongodb_server(data: Path, log: Path) -> Server:
    data.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("secantusd-py", path=str(Path(sys.executable).parent))
    assert exe, "secantusdb is a dev dependency"
    port = free_port()
    argv = [exe, "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(data)]
    return Server("mongodb", [*argv, "--log-level", "WARNING"], port, log)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    """Starts nothing itself; stops whatever a test put in it."""
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def start(servers: list[Server], server: Server) -> Server:
    server.log.parent.mkdir(parents=True, exist_ok=True)
    server.start()
    servers.append(server)
    return server


class DockerDaemon:
    """A Docker daemon of the test's own (its own data, containerd, socket and network
    namespace), holding a copy of the sandbox image. Stopping and starting it
    is a real daemon restart, without stopping the containers of the daemon every other
    test shares."""

    def __init__(self, root: Path) -> None:
        self.root = root  # short: containerd's sockets live under it
        self.socket = root / "docker.sock"
        self.log = root / "dockerd.log"
        self.proc: subprocess.Popen | None = None
        # Whether its containers keep running while it restarts (``live-restore``).
        self.live_restore = False
        config = root / "daemon.json"
        config.write_text("{}")  # not the host's /etc/docker/daemon.json
        self.argv = [
            # A network namespace of its own: a daemon without a bridge deletes the host's
            # docker0 when it starts, and the shared daemon's builds need it.
            "unshare",
            "--net",
            "dockerd",
            f"--config-file={config}",
            f"--data-root={root / 'data'}",
            f"--exec-root={root / 'exec'}",
            f"--pidfile={root / 'dockerd.pid'}",
            f"--host=unix://{self.socket}",
            f"--containerd-namespace=coderunner-{root.name}",
            f"--containerd-plugins-namespace=coderunner-{root.name}-plugins",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-masq=false",
            "--shutdown-timeout=3",
        ]

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=f"unix://{self.socket}")

    def start(self, timeout: float = 60) -> None:
        argv = [*self.argv, "--live-restore"] if self.live_restore else self.argv
        self.proc = subprocess.Popen(  # noqa: SIM115 - the log belongs to the child
            argv, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(docker.errors.DockerException):
                self.client().ping()
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"dockerd did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        """As ``systemctl stop docker`` does: SIGTERM, and the daemon stops its
        containers before it exits (unless ``live_restore``)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="module")
def own_docker_daemon(sandbox_image: str) -> Iterator[DockerDaemon]:
    if os.geteuid() != 0 or not (shutil.which("dockerd") and shutil.which("unshare")):
        pytest.skip("a Docker daemon of the test's own needs root, dockerd and unshare")
    daemon = DockerDaemon(Path(tempfile.mkdtemp(prefix="crd-", dir="/tmp")))
    try:
        daemon.start()
        # The sandbox image, copied from the shared daemon (about 20 s here).
        subprocess.run(
            f"docker save {shlex.quote(sandbox_image)}"
            f" | docker --host unix://{daemon.socket} load -q",
            shell=True,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield daemon
    finally:
        with contextlib.suppress(docker.errors.DockerException, AssertionError):
            if daemon.proc is None or daemon.proc.poll() is not None:
                daemon.start()
            client = daemon.client()
            for container in client.api.containers(all=True):
                client.api.remove_container(container["Id"], force=True)
        daemon.stop()
        # With live-restore, containerd-shims outlive the daemon (they name its root in
        # their command lines), and dockerd leaves its data root bind-mounted on itself.
        for proc in Path("/proc").iterdir():
            with contextlib.suppress(OSError, ValueError):
                if str(daemon.root).encode() in (proc / "cmdline").read_bytes():
                    os.kill(int(proc.name), signal.SIGKILL)
        for mount in reversed(Path("/proc/self/mounts").read_text().splitlines()):
            if mount.split()[1].startswith(f"{daemon.root}/"):
                subprocess.run(["umount", mount.split()[1]], check=False)
        shutil.rmtree(daemon.root)


# ---------------------------------------------------------------- the checks
async def submit_all(app, tag: str) -> list[tuple[str, str]]:
    """One slow, right submission per learner: (learner, submission id)."""
    accepted = []
    for learner in LEARNERS:
        code, body, _ = await call(
            app,
            "POST",
            "/api/submissions",
            {"problem_id": "add-two", "code": SLOW_ADD + f"# {tag}\n"},
            token=f"{learner}-token",
        )
        assert code == 202, body
        accepted.append((learner, body["id"]))
    return accepted


async def assert_down(app, dependency: str, accepted: list, since: float) -> None:
    """Within 5 s of the fault (at ``since``), readiness names the dependency and new work
    is refused with a 503 and Retry-After; never a 500. A submission accepted before the
    service noticed joins ``accepted``: it too must get its verdict."""
    while True:
        code, ready, _ = await call(app, "GET", "/health/ready", token=None)
        if code == 503 and ready["checks"][dependency] != "ok":
            break
        assert code == 200, ready
        assert time.monotonic() - since < 5, f"readiness still says ok: {ready}"
        await asyncio.sleep(0.1)
    while True:
        code, body, headers = await call(
            app,
            "POST",
            "/api/submissions",
            {"problem_id": "add-two", "code": SLOW_ADD + f"# {secrets.token_hex(4)}\n"},
            token="eve-token",
        )
        assert time.monotonic() - since < 5, "new work must be refused within 5 s"
        if code == 503:
            assert int(headers["Retry-After"]) > 0 and body["message"]
            return
        assert code == 202, (code, body)
        accepted.append(("eve", body["id"]))
        await asyncio.sleep(0.2)


async def assert_all_graded(app, accepted, verdict_of, *, since: float) -> None:
    """Every accepted submission has the verdict it earned, within 15 s of recovery."""
    results = await asyncio.gather(
        *(verdict_of(app.base, sid, f"{learner}-token") for learner, sid in accepted)
    )
    assert time.monotonic() - since < 15, "verdicts must land within 15 s of recovery"
    assert [r["verdict"] for r in results] == ["passed"] * len(accepted), results
    for learner, sid in accepted:
        doc = await app.storage.get_submission(sid)
        assert doc["status"] == "graded" and doc["user"] == learner


async def wait_ready(app, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (await call(app, "GET", "/health/ready", token=None))[0] == 200:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the service did not become ready again")


async def running_soon(app, accepted, seconds: float = 20) -> None:
    """Until at least one of the submissions is being graded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _, sid in accepted:
            if (await app.storage.get_submission(sid))["status"] == "running":
                return
        await asyncio.sleep(0.05)
    raise AssertionError("nothing started running")


async def until_only_the_pools_sandboxes(daemon: DockerDaemon, app, seconds: float) -> None:
    """Until the daemon holds nothing but the warm pool's ready sandboxes."""
    deadline = time.monotonic() + seconds
    while True:
        containers = await asyncio.to_thread(daemon.client().api.containers, all=True)
        ready = set(app.pool._ready._queue)
        stray = [(c["Id"][:12], c["State"]) for c in containers if c["Id"] not in ready]
        if not stray and app.pool.ready_count > 0:
            return
        assert time.monotonic() < deadline, f"sandboxes left behind: {stray}"
        await asyncio.sleep(0.2)


# ---------------------------------------------------------------- the faults
async def test_redis_stopped_and_started_during_grading(
    make_service, servers, tmp_path, verdict_of
) -> None:
    redis = start(servers, redis_server(tmp_path / "redis", tmp_path / "logs" / "redis.log"))
    app = await make_service(redis_url=f"redis://127.0.0.1:{redis.port}/0")
    accepted = await submit_all(app, "redis")
    await running_soon(app, accepted)
    redis.stop()
    await assert_down(app, "redis", accepted, time.monotonic())
    await asyncio.sleep(2)  # the workers meet the fault
    redis.start()
    back = time.monotonic()
    await assert_all_graded(app, accepted, verdict_of, since=back)
    await wait_ready(app)


async def test_database_stopped_and_started_during_grading(
    make_service, servers, tmp_path, verdict_of
) -> None:
    database = start(
        servers, mongodb_server(tmp_path / "mongodb", tmp_path / "logs" / "mongodb.log")
    )
    app = await make_service(
        mongodb_uri=f"mongodb://127.0.0.1:{database.port}/", mongodb_timeout_seconds=2.0
    )
    accepted = await submit_all(app, "mongodb")
    await running_soon(app, accepted)
    database.stop()
    await assert_down(app, "mongodb", accepted, time.monotonic())
    await asyncio.sleep(2)
    database.start()
    back = time.monotonic()
    await assert_all_graded(app, accepted, verdict_of, since=back)
    await wait_ready(app)


@pytest.mark.parametrize("live_restore", [False, True], ids=["stops-containers", "live-restore"])
async def test_docker_daemon_restarted_during_grading(
    own_docker_daemon, make_service, verdict_of, live_restore: bool
) -> None:
    """The daemon stops (its sandboxes with it, unless it keeps them running with
    live-restore), its socket is gone, and it starts again. The jobs wait for the daemon
    without spending a learner's attempts, the ready sandboxes are replaced, and no
    learner is told their code crashed."""
    daemon = own_docker_daemon
    if daemon.live_restore != live_restore:
        await asyncio.to_thread(daemon.stop)
        daemon.live_restore = live_restore
        await asyncio.to_thread(daemon.start)
    app = await make_service(
        SandboxFactory__docker_socket=str(daemon.socket),
        SandboxFactory__stray_sweep_seconds=0.5,
        SandboxPool__size=2,
    )
    await wait_ready(app)
    accepted = await submit_all(app, "docker")
    await running_soon(app, accepted)
    down = time.monotonic()
    stopping = asyncio.create_task(asyncio.to_thread(daemon.stop))
    await assert_down(app, "docker", accepted, down)
    await stopping
    await asyncio.sleep(2)
    await asyncio.to_thread(daemon.start)
    back = time.monotonic()
    assert daemon.client().info()["LiveRestoreEnabled"] == live_restore
    await assert_all_graded(app, accepted, verdict_of, since=back)
    for _, sid in accepted:
        assert (await app.storage.get_submission(sid))["attempts"] <= 2
    await wait_ready(app)
    # The pool is whole again: a new submission is graded in a fresh sandbox.
    again = await submit_all(app, "after")
    await assert_all_graded(app, again, verdict_of, since=time.monotonic())
    # Nothing the restart cut short is left behind: sandboxes created as the daemon went
    # away, never started, those whose removal failed while it was away, and (with
    # live-restore) the used and ready ones that outlived it.
    await until_only_the_pools_sandboxes(daemon, app, seconds=10)


async def test_service_restarted_with_jobs_queued(make_service, verdict_of) -> None:
    first = await make_service(WorkerPool__concurrency=0)  # accepts, grades nothing
    accepted = await submit_all(first, "restart")
    await first.shutdown()
    started = time.monotonic()
    second = await make_service(
        mongodb_database=first.mongodb_database, queue_stream=first.queue_stream
    )
    await assert_all_graded(second, accepted, verdict_of, since=started)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB filesystem of its own, as a nearly full host disk would be."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@contextlib.contextmanager
def disk_filled(mount: Path) -> Iterator[None]:
    """Fill the filesystem to the last block, then give the room back."""
    ballast = mount / "ballast"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    try:
        yield
    finally:
        ballast.unlink()


async def test_disk_under_the_queue_and_database_nearly_full(
    make_service, servers, small_disk, verdict_of
) -> None:
    logs = small_disk.parent / "logs"
    redis = start(servers, redis_server(small_disk / "redis", logs / "redis.log"))
    database = start(servers, mongodb_server(small_disk / "mongodb", logs / "mongodb.log"))
    app = await make_service(
        redis_url=f"redis://127.0.0.1:{redis.port}/0",
        mongodb_uri=f"mongodb://127.0.0.1:{database.port}/",
        mongodb_timeout_seconds=2.0,
    )
    accepted = await submit_all(app, "disk")
    with disk_filled(small_disk):
        await assert_down(app, "redis", accepted, time.monotonic())
    back = time.monotonic()
    await assert_all_graded(app, accepted, verdict_of, since=back)
    await wait_ready(app)
    assert redis.proc.poll() is None and database.proc.poll() is None


async def test_sandbox_tmpfs_filled_is_the_learners_verdict_and_harms_no_one_else(
    service, verdict_of
) -> None:
    """A learner who fills their sandbox's /tmp gets a verdict at once (their doing, so no
    retry), and the next submission, in a fresh sandbox, is graded as usual."""
    filler = (
        "def add(a, b):\n"
        "    with open('/tmp/fill', 'wb') as f:\n"
        "        while True:\n"
        "            f.write(b'x' * 1_000_000)\n"
    )
    code, body, _ = await call(
        service, "POST", "/api/submissions", {"problem_id": "add-two", "code": filler}
    )
    assert code == 202
    filled = await verdict_of(service.base, body["id"], "alice-token")
    assert filled["verdict"] == "failed" and filled["score"] == 0
    assert (await service.storage.get_submission(body["id"]))["attempts"] == 1
    after = await submit_all(service, "after-fill")
    await assert_all_graded(service, after, verdict_of, since=time.monotonic())
