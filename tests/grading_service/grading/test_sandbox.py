"""Grading through real, throwaway Docker sandboxes: limits hold, hostile code earns
nothing it did not earn, and no sandbox outlives its submission."""

from __future__ import annotations

import asyncio
import textwrap

import docker
import pytest

from grading_service.content.store import load_problem
from grading_service.grading import sandbox as sandbox_module
from grading_service.grading.channel import attach
from grading_service.grading.grader import Grader
from grading_service.grading.sandbox import IMAGE_AGENT_PATH, INSTANCE_LABEL, SandboxFactory

HIDDEN = textwrap.dedent("""
    from solution import solve

    def test_one():
        assert solve(1) == 2

    def test_two():
        assert solve(2) == 4

    def test_three():
        assert solve(10) == 20
""")


@pytest.fixture(scope="module")
def problem(tmp_path_factory: pytest.TempPathFactory, write_problem):
    return load_problem(
        write_problem(
            tmp_path_factory.mktemp("content"),
            meta={"points": 30, "time_limit_seconds": 3, "memory_limit_mb": 64},
            files={"tests_hidden.py": HIDDEN},
        )
    )


@pytest.fixture(scope="module")
def grader(sandbox_image: str, new_instance_name):
    sandboxes = SandboxFactory(
        image=sandbox_image,
        instance_name=new_instance_name(),
        max_memory_limit_mb=64,
        pids_limit=32,
        max_output_bytes=4096,
    )
    yield Grader(sandboxes)
    client = docker.from_env()
    assert (
        client.api.containers(
            all=True, filters={"label": f"{INSTANCE_LABEL}={sandboxes.instance_name}"}
        )
        == []
    )


async def grade(grader: Grader, problem, code: str) -> dict:
    try:
        return await grader.grade(problem, code)
    finally:
        await grader.drain_removals()


async def test_correct_code_scores_full_marks(grader, problem) -> None:
    result = await grade(grader, problem, "def solve(n):\n    return 2 * n\n")
    assert result["verdict"] == "passed"
    assert result["score"] == result["max_score"] == 30
    assert result["image"].startswith("coderunner-sandbox:") or result["image"].startswith(
        "sha256:"
    )


@pytest.mark.parametrize(
    ("name", "code", "verdicts"),
    [
        ("infinite loop", "def solve(n):\n    while True:\n        pass\n", {"timeout"}),
        ("sleep past the limit", "import time\ndef solve(n):\n    time.sleep(60)\n", {"timeout"}),
        (
            "memory bomb",
            "def solve(n):\n    x = []\n    while True:\n        x.append(bytearray(10**7))\n",
            {"memory_limit", "crashed"},
        ),
        (
            "fork bomb",
            "import os\ndef solve(n):\n    while True:\n        os.fork()\n",
            {"timeout", "crashed", "failed", "memory_limit"},
        ),
        (
            "output flood",
            "import sys\ndef solve(n):\n    while True:\n"
            "        sys.__stdout__.write('x' * 65536)\n",
            {"output_limit", "timeout", "failed", "crashed"},
        ),
        (
            "kill the parent",
            "import os, signal\nos.kill(1, signal.SIGKILL)\ndef solve(n):\n    return 2 * n\n",
            {"crashed", "passed"},
        ),
        ("exit early", "import os\nos._exit(0)\n", {"crashed"}),
    ],
)
async def test_hostile_code_is_contained_and_scores_nothing_unearned(
    grader, problem, name: str, code: str, verdicts: set[str]
) -> None:
    result = await grade(grader, problem, code)
    assert result["verdict"] in verdicts, (name, result)
    if result["verdict"] != "passed":
        assert result["score"] == 0, (name, result)
    # the grader is still usable afterwards
    again = await grade(grader, problem, "def solve(n):\n    return 2 * n\n")
    assert again["verdict"] == "passed"


async def test_sandbox_has_no_network(
    grader, problem, internet_standin, host_listener, docker_client
) -> None:
    bridge_gateway = docker_client.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]
    targets = [
        (internet_standin.ip, internet_standin.port),
        (bridge_gateway, host_listener.port),
        ("127.0.0.1", host_listener.port),
    ]
    code = f"TARGETS = {targets!r}\n" + textwrap.dedent("""
        import socket
        def probe(host, port):
            s = socket.socket()
            s.settimeout(1)
            try:
                s.connect((host, port))
                return True
            except OSError:
                return False
        REACHED = [target for target in TARGETS if probe(*target)]
        def solve(n):
            if REACHED:
                return -1
            return 2 * n
    """)
    result = await grade(grader, problem, code)
    assert result["verdict"] == "passed", result


async def test_sandbox_container_has_network_mode_none(grader, docker_client) -> None:
    container_id = await grader.sandboxes.start()
    try:
        attrs = docker_client.api.inspect_container(container_id)
        assert attrs["HostConfig"]["NetworkMode"] == "none"
        assert set(attrs["NetworkSettings"]["Networks"]) <= {"none"}
    finally:
        await grader.sandboxes.remove(container_id)


async def test_used_sandbox_ends_by_itself_when_the_runner_detaches(grader, docker_client) -> None:
    container_id = await grader.sandboxes.start()
    try:
        assert docker_client.api.inspect_container(container_id)["Config"]["StdinOnce"]
        attach(grader.sandboxes.docker_socket, container_id).close()
        state = docker_client.api.wait(container_id, timeout=10, condition="not-running")
        # Ended on its own (stdin closed), not killed: nothing left for the daemon to kill.
        assert state["StatusCode"] == 0
    finally:
        await grader.sandboxes.retire(container_id)
    with pytest.raises(docker.errors.NotFound):
        docker_client.api.inspect_container(container_id)


async def test_the_call_server_runs_from_the_byte_code_built_into_the_image(
    grader, docker_client
) -> None:
    image_id, command = await asyncio.to_thread(grader.sandboxes.image_plan)
    assert command == [grader.sandboxes.python, "-I", "-S", IMAGE_AGENT_PATH]
    container_id = await grader.sandboxes.start()
    try:
        config = docker_client.api.inspect_container(container_id)["Config"]
        assert (config["Image"], config["Cmd"]) == (image_id, command)
    finally:
        await grader.sandboxes.remove(container_id)


async def test_an_image_built_by_another_release_is_sent_the_call_server(
    sandbox_image: str, new_instance_name, problem, monkeypatch
) -> None:
    # Its label names another call server: the source goes in the command, and grading
    # works as before.
    monkeypatch.setattr(sandbox_module, "AGENT_DIGEST", "0" * 64)
    sandboxes = SandboxFactory(
        image=sandbox_image, instance_name=new_instance_name(), max_memory_limit_mb=64
    )
    _, command = await asyncio.to_thread(sandboxes.image_plan)
    assert command[-2:] == ["-c", sandbox_module.AGENT_SOURCE]
    result = await grade(Grader(sandboxes), problem, "def solve(n):\n    return 2 * n\n")
    assert (result["verdict"], result["score"]) == ("passed", 30)


async def test_retire_kills_a_sandbox_that_does_not_end(grader, docker_client) -> None:
    # Never attached, so its stdin never closes: it runs until it is killed.
    container_id = await grader.sandboxes.start()
    grader.sandboxes.exit_grace_seconds = 0.2
    try:
        await grader.sandboxes.retire(container_id)
    finally:
        grader.sandboxes.exit_grace_seconds = 1.0
    with pytest.raises(docker.errors.NotFound):
        docker_client.api.inspect_container(container_id)


def sandboxes_of(docker_client, factory: SandboxFactory) -> dict[str, str]:
    """This factory's sandboxes: id -> state."""
    found = docker_client.api.containers(
        all=True, filters={"label": f"{INSTANCE_LABEL}={factory.instance_name}"}
    )
    return {c["Id"]: c["State"] for c in found}


async def test_the_sweep_removes_sandboxes_whose_removal_failed_and_starts_cut_short(
    sandbox_image, new_instance_name, docker_client, monkeypatch
) -> None:
    """What a Docker daemon away (restarting) leaves behind is removed once it answers:
    a sandbox whose removal failed, one whose id never reached us (known by its name),
    and one created long ago and never started. A running sandbox is never touched: a
    replica sharing the instance name may be grading in it."""
    factory = SandboxFactory(image=sandbox_image, instance_name=new_instance_name())
    try:
        running = await factory.start()
        unremoved = await factory.start()
        docker_client.api.stop(unremoved, timeout=0)
        factory._unremoved.add(unremoved)  # as a removal that failed leaves it
        image_id, command = factory.image_plan()
        settings = factory.container_settings(64, image=image_id, command=command)
        create_args = sandbox_module._create_container_args(
            {**settings, "version": docker_client.api._version}
        )
        created = {
            name: docker_client.api.create_container(**create_args, name=name)["Id"]
            for name in (f"{factory.instance_name}-lost", f"{factory.instance_name}-stale")
        }
        lost = created[f"{factory.instance_name}-lost"]
        factory._unremoved.add(f"{factory.instance_name}-lost")  # its id never came back
        factory._unremoved.add(f"{factory.instance_name}-gone")  # never made at all

        assert await factory.sweep() == 2
        left = sandboxes_of(docker_client, factory)
        assert unremoved not in left and lost not in left
        assert left == {running: "running", created[f"{factory.instance_name}-stale"]: "created"}
        assert factory._unremoved == set()  # the one never made is forgotten too

        monkeypatch.setattr(sandbox_module, "STRAY_CREATED_SECONDS", 0.0)
        assert await factory.sweep() == 1  # created, never started, and old enough now
        assert sandboxes_of(docker_client, factory) == {running: "running"}
    finally:
        await factory.remove_all()


async def test_a_removal_that_fails_is_left_to_the_sweep(
    sandbox_image, new_instance_name, docker_client, tmp_path
) -> None:
    factory = SandboxFactory(image=sandbox_image, instance_name=new_instance_name())
    try:
        container_id = await factory.start()
        real_socket = factory.docker_socket
        factory.docker_socket, factory._client = str(tmp_path / "gone.sock"), None
        await factory.remove(container_id)  # logged, not raised: the daemon is away
        assert factory._unremoved == {container_id}
        # A start while the socket is gone reached no daemon: nothing to look for later.
        with pytest.raises(sandbox_module.SandboxError):
            await factory.start()
        assert factory._unremoved == {container_id}
        factory.docker_socket, factory._client = real_socket, None
        assert await factory.sweep() == 1
        assert container_id not in sandboxes_of(docker_client, factory)
    finally:
        await factory.remove_all()


def test_the_docker_client_keeps_a_connection_for_every_executor_thread(grader) -> None:
    """The service calls Docker from up to ``executor_threads`` (32) threads at once; the
    SDK's default of 10 kept connections made the rest connect anew, with a warning each."""
    adapter = grader.sandboxes.client.api.get_adapter("http+docker://localhost")
    assert adapter.max_pool_size == sandbox_module.DOCKER_CONNECTIONS >= 32


async def test_system_calls_outside_the_sandbox_profile_fail(grader, problem) -> None:
    """Learner code reaches the kernel only through the calls it needs: ptrace, io_uring,
    kernel keyrings, SysV IPC, new user namespaces and netlink or raw packet sockets all
    fail with EPERM, while threads, processes, pipes, local sockets and files work."""
    code = textwrap.dedent("""
        import ctypes, errno, os, platform, socket, subprocess, sys, threading
        NUMBERS = {  # ptrace, io_uring_setup, keyctl, msgget, unshare
            "x86_64": (101, 425, 250, 68, 272),
            "aarch64": (117, 425, 219, 186, 97),
        }[platform.machine()]
        ARGS = ((0, 0, 0, 0), (1, ctypes.create_string_buffer(120)), (0, 0, 0), (0, 0o1000),
                (0x10000000,))  # PTRACE_TRACEME, 1 entry, ..., IPC_CREAT, CLONE_NEWUSER
        libc = ctypes.CDLL(None, use_errno=True)
        DENIED = []
        for number, args in zip(NUMBERS, ARGS):
            ctypes.set_errno(0)
            DENIED.append(libc.syscall(number, *args) == -1 and ctypes.get_errno() == errno.EPERM)
        for family, kind in ((socket.AF_NETLINK, socket.SOCK_RAW),
                             (socket.AF_PACKET, socket.SOCK_RAW)):
            try:
                socket.socket(family, kind).close()
                DENIED.append(False)
            except PermissionError:
                DENIED.append(True)
        done = []
        worker = threading.Thread(target=done.append, args=(1,))
        worker.start()
        worker.join()
        child = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True)
        a, b = socket.socketpair()
        a.send(b"ok")
        with open("/tmp/note.txt", "w") as f:
            f.write("kept")
        WORKS = [done == [1], child.stdout == b"42\\n", b.recv(2) == b"ok",
                 open("/tmp/note.txt").read() == "kept"]
        def solve(n):
            if all(DENIED) and all(WORKS):
                return 2 * n
            return (DENIED, WORKS)
    """)
    result = await grade(grader, problem, code)
    assert result["verdict"] == "passed", result


async def test_sandbox_cannot_see_tests_or_write_outside_tmp(grader, problem) -> None:
    code = textwrap.dedent("""
        import os
        FOUND = []
        for top in ("/", ):
            for dirpath, dirs, files in os.walk(top):
                if dirpath.startswith(("/proc", "/sys", "/dev")):
                    dirs[:] = []
                    continue
                FOUND += [f for f in files if f.startswith(("tests_hidden", "solution.py"))]
        try:
            open("/etc/evil", "w")
            WROTE = True
        except OSError:
            WROTE = False
        ME = os.getuid()
        def solve(n):
            if FOUND or WROTE or ME == 0:
                return -1
            return 2 * n
    """)
    result = await grade(grader, problem, code)
    assert result["verdict"] == "passed", result
