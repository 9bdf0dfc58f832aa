"""gVisor (runsc) as the grading sandboxes' runtime (``SandboxFactory.runtime``).

Without Docker: the settings a gVisor sandbox gets, and how the runtime is looked up.
With Docker: an unregistered runtime stops the service at start, naming the fix. With runsc
registered in the Docker daemon: every hardening setting holds inside a gVisor sandbox,
memory limits end in a ``memory_limit`` verdict, and the hostile suite
(``test_hostile_submissions.py``) runs again, its cases unchanged, with every sandbox
under gVisor. Those skip, saying how to install runsc, where the daemon does not know it.
"""

from __future__ import annotations

import asyncio
import textwrap

import docker
import pytest

from grading_service.content.store import load_problem
from grading_service.grading.grader import Grader
from grading_service.grading.sandbox import (
    GVISOR_HOST_TASKS,
    GVISOR_HOST_TASKS_PER_PROCESS,
    GVISOR_MEMORY_OVERHEAD_MB,
    INSTANCE_LABEL,
    SandboxError,
    SandboxFactory,
    SandboxPool,
    sandbox_container_settings,
)

from . import test_hostile_submissions as hostile
from .test_sandbox_settings import LIMITS  # the same sandbox, under runc there

RUNSC = "runsc"
# What gVisor places differently; everything else must be as under runc.
MOVED = {"runtime", "pids_limit", "mem_limit", "memswap_limit", "ulimits"}


class Daemon(docker.DockerClient):
    """A Docker client that answers ``info()`` with the given runtimes and talks to no
    daemon (the API version is fixed, so it never asks one)."""

    def __init__(self, runtimes: dict) -> None:
        super().__init__(base_url="unix:///nonexistent/docker.sock", version="1.41")
        self.runtimes = runtimes

    def info(self) -> dict:
        return {"Runtimes": self.runtimes}


def factory_on(runtimes: dict, runtime: str = RUNSC) -> SandboxFactory:
    factory = SandboxFactory(image="coderunner-sandbox:abc", runtime=runtime)
    factory._client = Daemon(runtimes)
    return factory


# --------------------------------------------------------------- settings, no Docker


def test_runc_sandboxes_are_unchanged_when_no_runtime_is_set() -> None:
    settings = sandbox_container_settings(**LIMITS)
    assert "runtime" not in settings
    assert settings == sandbox_container_settings(**LIMITS, runtime="", gvisor=False)
    assert [u["Name"] for u in settings["ulimits"]] == ["nofile"]


def test_gvisor_keeps_every_hardening_setting_and_places_three_limits_for_its_kernel() -> None:
    runc = sandbox_container_settings(**LIMITS)
    gvisor = sandbox_container_settings(**LIMITS, runtime=RUNSC, gvisor=True)
    assert {k: v for k, v in gvisor.items() if k not in MOVED} == {
        k: v for k, v in runc.items() if k not in MOVED
    }
    assert gvisor["runtime"] == RUNSC
    # Learner processes and threads are counted by gVisor's kernel, per sandbox ...
    assert {"Name": "nproc", "Soft": 32, "Hard": 32} in gvisor["ulimits"]
    assert {"Name": "nofile", "Soft": 128, "Hard": 128} in gvisor["ulimits"]
    # ... the host's pids limit also bounds gVisor's own threads and ptrace stubs ...
    assert gvisor["pids_limit"] == GVISOR_HOST_TASKS + GVISOR_HOST_TASKS_PER_PROCESS * 32
    # ... and learner code keeps the memory it has under runc, still with no swap.
    total = f"{96 + GVISOR_MEMORY_OVERHEAD_MB}m"
    assert gvisor["mem_limit"] == gvisor["memswap_limit"] == total


def test_runtime_comes_from_the_environment_by_default(monkeypatch) -> None:
    monkeypatch.delenv("CODERUNNER_SANDBOX_RUNTIME", raising=False)
    assert SandboxFactory().runtime == ""
    monkeypatch.setenv("CODERUNNER_SANDBOX_RUNTIME", RUNSC)
    assert SandboxFactory().runtime == RUNSC
    assert SandboxFactory(runtime="").runtime == ""


@pytest.mark.parametrize(
    ("entry", "is_gvisor"),
    [
        ({"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}, True),
        ({"runtimeType": "io.containerd.runsc.v1"}, True),
        ({"path": "/usr/bin/kata-runtime"}, False),
    ],
)
def test_a_registered_runtime_is_used_and_gvisor_is_recognised(entry, is_gvisor) -> None:
    factory = factory_on({"runc": {"path": "runc"}, RUNSC: entry})
    assert factory.runtime_is_gvisor() is is_gvisor
    settings = factory.container_settings(64)
    assert settings["runtime"] == RUNSC
    assert any(u["Name"] == "nproc" for u in settings["ulimits"]) is is_gvisor


def test_an_unregistered_runtime_is_refused_naming_the_fix() -> None:
    factory = factory_on({"runc": {"path": "runc"}})
    with pytest.raises(SandboxError) as refused:
        factory.container_settings(64)
    message = str(refused.value)
    assert "'runsc' is not registered with Docker" in message
    assert "hub_config/host-setup.sh --gvisor" in message and "Docker has: runc" in message
    # Readiness shows the first 200 characters of the error: the fix must be in them.
    assert len(message) <= 200
    assert factory_on({}, runtime="").runtime_is_gvisor() is False  # runc: nothing asked


async def test_gvisor_sandboxes_are_replaced_not_resized() -> None:
    # runsc has no `update`: the pool's fallback (a new sandbox) must be taken at once.
    factory = factory_on({RUNSC: {"path": "/usr/bin/runsc"}})
    factory.runtime_is_gvisor()
    with pytest.raises(SandboxError, match="cannot change a started sandbox's limits"):
        await factory.set_memory_limit("not-asked", 96)


# --------------------------------------------------------------- Docker, any runtime


@pytest.fixture(scope="session")
def gvisor_runtime(docker_client: docker.DockerClient) -> str:
    """``runsc`` when the Docker daemon has it registered; otherwise the test skips."""
    if RUNSC not in (docker_client.info().get("Runtimes") or {}):
        pytest.skip(
            "gVisor's runsc is not registered with this Docker daemon: install and "
            "register it with `hub_config/host-setup.sh .state --gvisor` as root "
            "(CI does, with CODERUNNER_GVISOR=1)"
        )
    return RUNSC


@pytest.fixture
def make_service(make_service, request):
    """The conftest's ``make_service`` with every sandbox under gVisor, unless a test
    names another runtime: so the hostile suite's fixtures, used here, run under it."""

    async def make(**settings):
        if "SandboxFactory__runtime" not in settings:
            settings["SandboxFactory__runtime"] = request.getfixturevalue("gvisor_runtime")
        return await make_service(**settings)

    return make


async def test_an_unregistered_runtime_stops_the_service_at_start_naming_the_fix(
    make_service,
) -> None:
    """Fail fast: a runtime Docker does not know is a configuration mistake, found at
    start (readiness names it too, should the daemon lose it later)."""
    from grading_service.app import ConfigError

    with pytest.raises(ConfigError) as refused:
        await make_service(SandboxFactory__runtime="no-such-runtime", SandboxPool__size=0)
    assert "'no-such-runtime' is not registered with Docker" in str(refused.value)
    assert "hub_config/host-setup.sh --gvisor" in str(refused.value)


# --------------------------------------------------------------- Docker with runsc

# The hostile suite, its cases and checks unchanged, with the service's sandboxes under
# gVisor (``make_service`` above); `hostile_service` is its fixture, found here.
hostile_service = hostile.hostile_service
test_hostile_submissions_are_contained_under_gvisor = (
    hostile.test_hostile_submissions_are_contained_and_earn_nothing
)

FACTS = textwrap.dedent("""
    import ctypes, os, resource, socket, subprocess, threading

    def _status(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return line.split()[1]

    def _can_write(path, size=1):
        try:
            with open(path, "wb") as f:
                f.write(b"x" * size)
            return True
        except OSError:
            return False
        finally:
            if os.path.exists(path):
                os.remove(path)

    def _can_run_what_it_wrote():
        with open("/tmp/run.sh", "w") as f:
            f.write("#!/bin/sh\\necho ran\\n")
        os.chmod("/tmp/run.sh", 0o755)
        try:
            return subprocess.run(["/tmp/run.sh"], capture_output=True).stdout == b"ran\\n"
        except OSError:
            return False
        finally:
            os.remove("/tmp/run.sh")

    def _threads_started(most):
        stop, started = threading.Event(), 0
        try:
            for _ in range(most):
                threading.Thread(target=stop.wait, daemon=True).start()
                started += 1
        except RuntimeError:
            pass
        stop.set()
        return started

    FACTS = {
        "kernel": os.uname().release,
        "user": [os.getuid(), os.getgid()],
        "capabilities": _status("CapEff"),
        "no_new_privileges": ctypes.CDLL(None).prctl(39, 0, 0, 0, 0),
        "root_writable": _can_write("/etc/coderunner-probe"),
        "tmp_writable": _can_write("/tmp/probe"),
        "tmp_runs_programs": _can_run_what_it_wrote(),
        "tmp_holds_9_mib": _can_write("/tmp/fill", 9 * 2**20),
        "interfaces": sorted(name for _, name in socket.if_nameindex()),
        "open_files": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
        "threads_started_of_100": _threads_started(100),
    }

    def facts():
        return FACTS
""")

FACT_TESTS = textwrap.dedent("""
    import os
    from solution import facts

    def test_runs_on_a_kernel_other_than_the_hosts():
        assert facts()["kernel"] != os.uname().release

    def test_runs_as_nobody_without_capabilities_or_privilege_gain():
        assert facts()["user"] == [65534, 65534]
        assert facts()["capabilities"] == "0000000000000000"
        assert facts()["no_new_privileges"] == 1

    def test_root_is_read_only_and_tmp_small_and_noexec():
        assert facts()["root_writable"] is False
        assert facts()["tmp_writable"] is True
        assert facts()["tmp_runs_programs"] is False
        assert facts()["tmp_holds_9_mib"] is False

    def test_no_network_but_loopback():
        assert facts()["interfaces"] == ["lo"]

    def test_open_files_and_processes_are_limited():
        assert facts()["open_files"] == 128
        assert 0 < facts()["threads_started_of_100"] < 32
""")

MEMORY_TEST = "from solution import solve\n\ndef test_one():\n    assert solve(1) == 2\n"


@pytest.fixture(scope="module")
def gvisor_sandboxes(gvisor_runtime: str, sandbox_image: str, new_instance_name):
    sandboxes = SandboxFactory(
        image=sandbox_image,
        runtime=gvisor_runtime,
        instance_name=new_instance_name(),
        max_memory_limit_mb=64,
        pids_limit=32,
        nofile_limit=128,
        tmpfs_size_mb=8,
        max_output_bytes=4096,
    )
    yield sandboxes
    assert (
        docker.from_env().api.containers(
            all=True, filters={"label": f"{INSTANCE_LABEL}={sandboxes.instance_name}"}
        )
        == []
    )


async def grade(sandboxes: SandboxFactory, problem, code: str) -> dict:
    grader = Grader(sandboxes)
    try:
        return await grader.grade(problem, code)
    finally:
        await grader.drain_removals()


def problem_with(write_problem, tmp_path, tests: str, points: int):
    return load_problem(
        write_problem(
            tmp_path,
            meta={"points": points, "time_limit_seconds": 10, "memory_limit_mb": 64},
            files={"tests_hidden.py": tests},
        )
    )


async def test_every_hardening_setting_holds_inside_a_gvisor_sandbox(
    gvisor_sandboxes, write_problem, tmp_path, docker_client
) -> None:
    problem = problem_with(write_problem, tmp_path, FACT_TESTS, 5)
    result = await grade(gvisor_sandboxes, problem, FACTS)
    assert result["verdict"] == "passed", result
    # And as Docker sees the container:
    container_id = await gvisor_sandboxes.start(64)
    try:
        host = docker_client.api.inspect_container(container_id)["HostConfig"]
    finally:
        await gvisor_sandboxes.remove(container_id)
    assert host["Runtime"] == RUNSC and host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True and host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges"] and not host["Privileged"]
    assert host["Memory"] == host["MemorySwap"] == (64 + GVISOR_MEMORY_OVERHEAD_MB) * 2**20
    assert {"Name": "nproc", "Soft": 32, "Hard": 32} in host["Ulimits"]


async def test_memory_limit_is_a_clear_verdict_and_learners_keep_their_room_under_gvisor(
    gvisor_sandboxes, write_problem, tmp_path
) -> None:
    problem = problem_with(write_problem, tmp_path, MEMORY_TEST, 10)
    bomb = "def solve(n):\n    x = []\n    while True:\n        x.append(b'x' * 10**7)\n"
    result = await grade(gvisor_sandboxes, problem, bomb)
    assert result["verdict"] == "memory_limit" and result["score"] == 0, result
    assert "64 MiB memory limit" in result["message"]
    # 40 MiB of a 64 MiB limit fits, as under runc: gVisor's kernel has its own room.
    honest = "def solve(n):\n    block = b'x' * (40 * 2**20)\n    return 2 * n\n"
    result = await grade(gvisor_sandboxes, problem, honest)
    assert result["verdict"] == "passed", result


async def test_pool_replaces_a_gvisor_sandbox_that_needs_another_memory_limit(
    gvisor_sandboxes, docker_client
) -> None:
    pool = SandboxPool(gvisor_sandboxes, size=1, start_memory_limit_mb=64)
    await pool.start()
    container_id = ""
    try:
        for _ in range(300):  # the pool starts its sandbox
            if pool.ready_count:
                break
            await asyncio.sleep(0.05)
        assert pool.ready_count
        container_id = await pool.acquire(48)
        host = docker_client.api.inspect_container(container_id)["HostConfig"]
        assert host["Memory"] == (48 + GVISOR_MEMORY_OVERHEAD_MB) * 2**20
        assert host["Runtime"] == RUNSC
    finally:
        if container_id:
            await gvisor_sandboxes.remove(container_id)
        await pool.close()
