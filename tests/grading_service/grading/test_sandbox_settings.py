"""A sandbox's Docker settings, checked without Docker: they come from one pure function
(``sandbox_container_settings``, in the style of kubespawner's ``make_pod``), and
``SandboxFactory`` fills it from its options. Renamed memory options keep working, and the
trusted side never opens paths inside a sandbox."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from traitlets import TraitError

from grading_service.grading.sandbox import (
    AGENT_DIGEST,
    AGENT_LABEL,
    AGENT_SOURCE,
    IMAGE_AGENT_PATH,
    INSTANCE_LABEL,
    LABEL,
    SECCOMP_PROFILE,
    SandboxError,
    SandboxFactory,
    SandboxPool,
    sandbox_container_settings,
    seccomp_profile_text,
)
from hub_config.settings import ROOT

LIMITS: dict[str, Any] = {
    "image": "coderunner-sandbox:abc",
    "command": ["/opt/venv/bin/python", "-I", "-c", "pass"],
    "memory_limit_mb": 96,
    "cpu_limit": 0.5,
    "pids_limit": 32,
    "nofile_limit": 128,
    "tmpfs_size_mb": 8,
    "max_output_bytes": 4096,
    "instance_name": "t1234",
}


@pytest.fixture
def settings() -> dict:
    return sandbox_container_settings(**LIMITS)


def test_sandbox_has_no_network(settings: dict) -> None:
    assert settings["network_mode"] == "none"
    assert settings["network_disabled"] is True  # not even Docker's own set-up
    assert "ports" not in settings and "network" not in settings


def test_sandbox_root_is_read_only_and_tmp_is_a_small_tmpfs(settings: dict) -> None:
    assert settings["read_only"] is True
    assert settings["working_dir"] == "/tmp"
    assert list(settings["tmpfs"]) == ["/tmp"]
    options = settings["tmpfs"]["/tmp"].split(",")
    assert "size=8m" in options
    assert {"noexec", "nosuid", "nodev"} <= set(options)
    assert "volumes" not in settings and "mounts" not in settings


def test_sandbox_runs_unprivileged_with_no_capabilities(settings: dict) -> None:
    user, group = settings["user"].split(":")
    assert int(user) != 0 and int(group) != 0
    assert settings["cap_drop"] == ["ALL"]
    assert "cap_add" not in settings
    assert settings["security_opt"] == ["no-new-privileges"]
    assert not settings.get("privileged")


def test_every_limit_is_set(settings: dict) -> None:
    assert settings["pids_limit"] == 32
    assert settings["mem_limit"] == "96m"
    assert settings["memswap_limit"] == settings["mem_limit"]  # no swap on top
    assert settings["nano_cpus"] == 500_000_000
    assert settings["ulimits"] == [{"Name": "nofile", "Soft": 128, "Hard": 128}]
    assert settings["environment"]["CODERUNNER_MAX_OUTPUT_BYTES"] == "4096"


def test_sandbox_is_labelled_and_keeps_no_log(settings: dict) -> None:
    assert settings["labels"] == {LABEL: "sandbox", INSTANCE_LABEL: "t1234"}
    assert settings["log_config"]["Type"] == "none"


def test_call_server_talks_over_stdin_only(settings: dict) -> None:
    assert settings["stdin_open"] is True
    assert settings["image"] == "coderunner-sandbox:abc"
    assert settings["command"] == LIMITS["command"]
    assert "detach" not in settings and "tty" not in settings


def test_factory_fills_the_settings_from_its_options() -> None:
    factory = SandboxFactory(
        image="img:1",
        python="/usr/bin/python3",
        cpu_limit=2.0,
        pids_limit=10,
        nofile_limit=64,
        tmpfs_size_mb=4,
        max_output_bytes=100,
        instance_name="mine",
    )
    settings = factory.container_settings(memory_limit_mb=64)
    assert settings == sandbox_container_settings(
        image="img:1",
        command=["/usr/bin/python3", "-I", "-S", "-c", AGENT_SOURCE],
        memory_limit_mb=64,
        cpu_limit=2.0,
        pids_limit=10,
        nofile_limit=64,
        tmpfs_size_mb=4,
        max_output_bytes=100,
        instance_name="mine",
        seccomp=seccomp_profile_text("coderunner"),
    )


def test_sandboxes_get_their_own_seccomp_profile_unless_told_otherwise(tmp_path) -> None:
    def seccomp_of(factory: SandboxFactory) -> list[str]:
        options = factory.container_settings(memory_limit_mb=64)["security_opt"]
        return [o for o in options if o.startswith("seccomp=")]

    (own,) = seccomp_of(SandboxFactory(python="/p"))
    assert json.loads(own.removeprefix("seccomp=")) == json.loads(SECCOMP_PROFILE.read_text())
    assert seccomp_of(SandboxFactory(python="/p", seccomp_profile="docker-default")) == []
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}))
    assert seccomp_of(SandboxFactory(python="/p", seccomp_profile=str(mine))) == [
        'seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}'
    ]
    # gVisor filters calls in its own kernel; runsc would leave the profile out anyway.
    gvisor = sandbox_container_settings(**LIMITS, seccomp="{}", runtime="runsc", gvisor=True)
    assert gvisor["security_opt"] == ["no-new-privileges"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot read"),
        ("{not json", "cannot read"),
        ('["a list"]', "is not a seccomp profile"),
        ('{"defaultAction": "SCMP_ACT_ALLOW"}', "allows every system call"),
    ],
)
def test_a_broken_seccomp_profile_stops_the_service_from_starting(
    tmp_path, content: str | None, says: str
) -> None:
    path = tmp_path / "profile.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(TraitError, match=says):
        SandboxFactory(seccomp_profile=str(path))


def test_the_sandbox_profile_denies_what_learner_code_never_needs() -> None:
    profile = json.loads(SECCOMP_PROFILE.read_text())
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO" and profile["defaultErrnoRet"] == 1
    plain = {
        name
        for rule in profile["syscalls"]
        if "args" not in rule and rule["action"] == "SCMP_ACT_ALLOW"
        for name in rule["names"]
    }
    denied = {
        "ptrace", "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter",
        "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
        "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "msgget", "semget",
        "shmget", "mq_open", "mlock", "mlockall", "personality", "modify_ldt", "kexec_load",
        "init_module", "reboot", "swapon", "syslog", "sync", "vmsplice", "socket", "clone",
    }  # fmt: skip
    assert not plain & denied
    assert {"read", "write", "openat", "mmap", "futex", "execve", "wait4"} <= plain
    conditional = [rule for rule in profile["syscalls"] if "args" in rule]
    # socket only for local, IPv4 and IPv6 (no netlink, packet or kernel crypto sockets)
    assert sorted(r["args"][0]["value"] for r in conditional if r["names"] == ["socket"]) == [
        1, 2, 10
    ]  # fmt: skip
    (clone,) = [r for r in conditional if r["names"] == ["clone"]]
    assert clone["args"] == [{"index": 0, "value": 0x7E020000, "op": "SCMP_CMP_MASKED_EQ"}]
    (clone3,) = [r for r in profile["syscalls"] if r["names"] == ["clone3"]]
    assert clone3["action"] == "SCMP_ACT_ERRNO" and clone3["errnoRet"] == 38  # ENOSYS


def test_call_server_runs_from_the_image_only_when_built_from_this_source() -> None:
    factory = SandboxFactory(python="/opt/venv/bin/python")
    assert factory.agent_command({AGENT_LABEL: AGENT_DIGEST}) == [
        "/opt/venv/bin/python",
        "-I",
        "-S",
        IMAGE_AGENT_PATH,
    ]
    source = ["/opt/venv/bin/python", "-I", "-S", "-c", AGENT_SOURCE]
    assert factory.agent_command({AGENT_LABEL: "0" * 64}) == source  # another release's
    assert factory.agent_command({}) == source  # an image built before the label
    assert factory.agent_command(None) == source


class _Api:
    """The two Docker calls ``SandboxFactory.image_plan`` makes, counted."""

    def __init__(self, image_id: str, labels: dict | None) -> None:
        self.inspected = 0
        self.image = {"Id": image_id, "Config": {"Labels": labels}}

    def inspect_image(self, name: str) -> dict:
        self.inspected += 1
        return self.image


def _factory_with(api: _Api) -> SandboxFactory:
    factory = SandboxFactory(image="coderunner-sandbox:latest")
    factory._client = type("Client", (), {"api": api})()  # type: ignore[assignment]
    return factory


def test_sandboxes_start_from_the_image_id_the_command_was_chosen_for(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("grading_service.grading.sandbox.time.monotonic", lambda: clock[0])
    api = _Api("sha256:one", {AGENT_LABEL: AGENT_DIGEST})
    factory = _factory_with(api)
    assert factory.image_plan() == (
        "sha256:one",
        factory.agent_command(api.image["Config"]["Labels"]),
    )
    factory.image_plan()
    assert api.inspected == 1  # looked up once, not per sandbox
    # The tag moves to an image of another release: after the recheck period, the source
    # goes in the command, and sandboxes start from the new image.
    api.image = {"Id": "sha256:two", "Config": {"Labels": None}}
    clock[0] += 31
    image_id, command = factory.image_plan()
    assert (image_id, command[-2:]) == ("sha256:two", ["-c", AGENT_SOURCE])
    assert api.inspected == 2


def test_no_sandbox_gets_more_memory_than_the_ceiling() -> None:
    factory = SandboxFactory(max_memory_limit_mb=200)
    assert factory.memory_limit_for(64) == 64
    assert factory.memory_limit_for(1024) == 200
    assert factory.memory_limit_for(None) == 200
    pool = SandboxPool(factory, start_memory_limit_mb=512)
    assert pool.pool_limit == 200


@pytest.fixture
def warnings_log(log_records) -> Iterator[tuple[logging.Logger, Any]]:
    log = logging.getLogger(f"test.deprecations.{id(object())}")
    log.propagate = False
    with log_records(log) as records:
        yield log, records


def test_old_memory_option_names_still_work_with_a_warning(warnings_log) -> None:
    log, records = warnings_log
    factory = SandboxFactory(log=log, memory_limit_mb=100)
    pool = SandboxPool(factory, log=log, memory_limit_mb=90)
    assert factory.max_memory_limit_mb == 100
    assert pool.start_memory_limit_mb == 90
    assert records.messages == [
        "SandboxFactory.memory_limit_mb is deprecated; use SandboxFactory.max_memory_limit_mb"
        " instead",
        "SandboxPool.memory_limit_mb is deprecated; use SandboxPool.start_memory_limit_mb instead",
    ]


def test_new_memory_option_names_give_no_warning(warnings_log) -> None:
    log, records = warnings_log
    SandboxPool(SandboxFactory(log=log, max_memory_limit_mb=100), log=log)
    assert records.messages == []


def test_trusted_side_never_opens_paths_inside_the_sandbox() -> None:
    """No chown/open by name inside a sandbox: the grader only talks to its call server."""
    source = (ROOT / "grading_service" / "grading" / "sandbox.py").read_text()
    for forbidden in ("put_archive", "get_archive", "exec_run", "chown", "volumes="):
        assert forbidden not in source


async def test_the_daemon_counts_as_away_unless_a_new_connection_gets_a_200(tmp_path) -> None:
    """``ping`` opens a connection of its own each time: a stopping daemon has closed its
    socket already while it may still answer the connections it has."""
    path = tmp_path / "docker.sock"
    factory = SandboxFactory(docker_socket=str(path))
    with pytest.raises(SandboxError, match=f"no Docker daemon answers at {path}"):
        await factory.ping()  # no socket: the daemon is away
    answers = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", b"HTTP/1.1 500 Error\r\n\r\n"]
    requests = []

    async def daemon(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(answers.pop(0))
        await writer.drain()
        writer.close()

    server = await asyncio.start_unix_server(daemon, path=str(path))
    async with server:
        await factory.ping()
        with pytest.raises(SandboxError, match="500"):
            await factory.ping()
    assert len(requests) == 2 and all(r.startswith(b"GET /_ping ") for r in requests)


async def test_a_frozen_daemon_fails_the_ping_in_its_time(tmp_path) -> None:
    path = tmp_path / "docker.sock"
    held = []

    async def frozen(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accepted, never answered

    server = await asyncio.start_unix_server(frozen, path=str(path))
    async with server:
        with pytest.raises(TimeoutError):
            await SandboxFactory(docker_socket=str(path)).ping(timeout_seconds=0.2)
        for writer in held:
            writer.close()
