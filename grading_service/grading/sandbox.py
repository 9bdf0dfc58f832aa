"""Throwaway sandbox containers, one per submission.

A sandbox runs the call server from ``sandbox_agent.py`` as an unprivileged user with no
network, a read-only root, a small tmpfs, no capabilities and tight limits. It is never
reused: the worker removes it after the submission, whatever happened. The trusted side
never reads or writes a path inside it; it only talks to the call server over the
container's attached stdin/stdout.

Docker SDK calls block, so they run in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import secrets
import time
from collections import deque
from pathlib import Path
from typing import Any

import docker
import requests
from docker.errors import DockerException, NotFound
from docker.models.containers import _create_container_args
from traitlets import Float, Integer, TraitError, Unicode, default, observe, validate
from traitlets.config import LoggingConfigurable

from .. import metrics

_AGENT_BYTES = (Path(__file__).parent / "sandbox_agent.py").read_bytes()
AGENT_SOURCE = _AGENT_BYTES.decode("utf-8")
# The image build compiles the call server to IMAGE_AGENT_PATH and labels the image with
# the SHA-256 of the source it compiled (sandbox_kernel_image/Dockerfile, build.sh).
AGENT_DIGEST = hashlib.sha256(_AGENT_BYTES).hexdigest()
AGENT_LABEL = "org.coderunner.agent"
IMAGE_AGENT_PATH = "/opt/coderunner/sandbox_agent.pyc"
# How long a look-up of the sandbox image (its id and labels) is trusted before the tag is
# looked up again, so that a rebuilt image is picked up without a restart.
IMAGE_RECHECK_SECONDS = 30.0
LABEL = "org.coderunner.role"
INSTANCE_LABEL = "org.coderunner.instance"
SANDBOX_USER = "65534:65534"  # nobody:nogroup
# A sandbox of this instance still only "created" this long after its creation will never
# be started: its start was cut short (the daemon went away while it answered). Starts
# take well under a second; this leaves room for a very slow daemon.
STRAY_CREATED_SECONDS = 120.0
# Connections the Docker client keeps: one per thread that may call at once (the service's
# executor_threads, 32 by default). With the SDK's 10, busier moments opened and dropped a
# connection per call, each with a warning in the log.
DOCKER_CONNECTIONS = 64
# What a Docker call raises when the daemon does not answer: the SDK's own errors, and
# requests' when the connection fails or is cut (the daemon stopping or restarting).
DOCKER_FAULTS = (DockerException, requests.exceptions.RequestException)


def _never_sent(exc: BaseException) -> bool:
    """Whether a failed Docker call never reached the daemon: its socket was missing or
    refused the connection (requests wraps that error in its own, in ``args``)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        error = stack.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, (FileNotFoundError, ConnectionRefusedError)):
            return True
        stack += [a for a in error.args if isinstance(a, BaseException)]
        stack += [e for e in (error.__cause__, error.__context__) if e is not None]
    return False


class SandboxError(RuntimeError):
    """Docker could not give us a sandbox: an infrastructure fault, worth a retry."""


# gVisor (runsc) runs a sandbox's processes on a kernel of its own in user space, the
# Sentry, which lives in the container's cgroups beside them. Measured with Debian's runsc
# 0.0~20221219 on the ptrace platform: the Sentry takes about 16 MiB of the memory limit
# (a Python filling memory got 44 of 64 MiB, against 60 under runc), and holds about 38
# host threads when idle plus about 5 host tasks (ptrace stubs) per sandboxed process.
GVISOR_MEMORY_OVERHEAD_MB = 16
GVISOR_HOST_TASKS = 64
GVISOR_HOST_TASKS_PER_PROCESS = 8


def memory_settings(memory_limit_mb: int, *, overhead_mb: int = 0) -> dict[str, str]:
    """Docker's memory limit with swap set equal, so that no swap is added;
    ``overhead_mb`` is added for the runtime's own use (gVisor's kernel)."""
    total = memory_limit_mb + overhead_mb
    return {"mem_limit": f"{total}m", "memswap_limit": f"{total}m"}


SECCOMP_PROFILE = Path(__file__).resolve().parent / "sandbox_seccomp.json"


def seccomp_profile_text(choice: str) -> str | None:
    """The compact JSON of a seccomp profile choice (``SandboxFactory.seccomp_profile``):
    None for Docker's default. Raises TraitError, saying what is wrong, for a file that
    cannot be read or is not a profile, so that a service with a broken one never starts."""
    if choice == "docker-default":
        return None
    path = SECCOMP_PROFILE if choice == "coderunner" else Path(choice)
    try:
        profile = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TraitError(f"SandboxFactory.seccomp_profile: cannot read {path}: {exc}") from None
    if not isinstance(profile, dict) or not isinstance(profile.get("defaultAction"), str):
        raise TraitError(
            f"SandboxFactory.seccomp_profile: {path} is not a seccomp profile "
            "(a JSON object with a defaultAction, as Docker's own)"
        )
    if profile["defaultAction"] == "SCMP_ACT_ALLOW" and not profile.get("syscalls"):
        raise TraitError(
            f"SandboxFactory.seccomp_profile: {path} allows every system call; "
            'use "docker-default" or the default, "coderunner"'
        )
    return json.dumps(profile, separators=(",", ":"))


def sandbox_container_settings(
    *,
    image: str,
    command: list[str],
    memory_limit_mb: int,
    cpu_limit: float,
    pids_limit: int,
    nofile_limit: int,
    tmpfs_size_mb: int,
    max_output_bytes: int,
    instance_name: str,
    runtime: str = "",
    gvisor: bool = False,
    seccomp: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``DockerClient.containers.create`` for one sandbox.

    A pure function (as kubespawner's ``make_pod``), so the security settings can be
    read in one place and checked without Docker: no network (not even one set up and
    left unconnected), a read-only root, an
    unprivileged user, no capabilities, no privilege gain, a small tmpfs as the only
    writable place, limits on processes, memory (no swap), CPU and open files, and no
    container log (the call server talks over the attached stdin/stdout only).
    ``seccomp`` is the text of the seccomp profile (None: Docker's default).

    ``runtime`` names the Docker runtime ("" for the daemon's default, runc). Under
    gVisor (``gvisor``), every setting stays, and three limits are placed differently,
    because the host's cgroups now hold gVisor's own kernel as well as learner code:
    processes and threads are counted by gVisor's kernel (``RLIMIT_NPROC`` at
    ``pids_limit``; under runc it would count every ``nobody`` process on the host, so it
    is set only here), the host's pids limit leaves room for gVisor's own threads, and
    the memory limit gets ``GVISOR_MEMORY_OVERHEAD_MB`` on top, so learner code keeps the
    room it has under runc.
    """
    ulimits = [docker.types.Ulimit(name="nofile", soft=nofile_limit, hard=nofile_limit)]
    host_pids_limit = pids_limit
    if gvisor:
        ulimits.append(docker.types.Ulimit(name="nproc", soft=pids_limit, hard=pids_limit))
        host_pids_limit = GVISOR_HOST_TASKS + GVISOR_HOST_TASKS_PER_PROCESS * pids_limit
    settings: dict[str, Any] = {
        "image": image,
        "command": command,
        # Not detached, so Docker SDK also sets StdinOnce: the call server's stdin closes
        # when the runner detaches, and it ends by itself (``SandboxFactory.retire``).
        "stdin_open": True,
        "network_mode": "none",
        # And no network set up at all: the container gets a network namespace of its
        # own with only a loopback device, as under "none", without the daemon's
        # libnetwork hook, which starts a copy of dockerd for every container (about
        # 100 ms of CPU, half of what a sandbox costs the machine).
        "network_disabled": True,
        "read_only": True,
        "user": SANDBOX_USER,
        "working_dir": "/tmp",
        # noexec: learner code may write files, never run them as programs.
        "tmpfs": {"/tmp": f"rw,noexec,nosuid,nodev,size={tmpfs_size_mb}m,mode=1777"},
        "cap_drop": ["ALL"],
        # gVisor filters system calls in its own kernel, and runsc leaves OCI profiles out.
        "security_opt": ["no-new-privileges"]
        + ([f"seccomp={seccomp}"] if seccomp is not None and not gvisor else []),
        "pids_limit": host_pids_limit,
        **memory_settings(memory_limit_mb, overhead_mb=GVISOR_MEMORY_OVERHEAD_MB if gvisor else 0),
        "nano_cpus": int(cpu_limit * 1e9),
        "ulimits": ulimits,
        "environment": {
            "CODERUNNER_MAX_OUTPUT_BYTES": str(max_output_bytes),
            "HOME": "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",  # no display; pictures are read as data
        },
        "labels": {LABEL: "sandbox", INSTANCE_LABEL: instance_name},
        "log_config": docker.types.LogConfig(type=docker.types.LogConfig.types.NONE),
    }
    if runtime:
        settings["runtime"] = runtime
    return settings


class SandboxFactory(LoggingConfigurable):
    """Creates, starts, inspects and removes sandbox containers through the Docker API."""

    _deprecated_aliases = {"memory_limit_mb": "max_memory_limit_mb"}  # old name: new name

    image = Unicode(
        help="""Image for grading sandboxes: the image built from sandbox_kernel_image/,
        so code behaves as in the learner's kernel.
        Default: $CODERUNNER_SANDBOX_IMAGE, else coderunner-sandbox:latest.""",
    ).tag(config=True)

    @default("image")
    def _default_image(self) -> str:
        return os.environ.get("CODERUNNER_SANDBOX_IMAGE", "coderunner-sandbox:latest")

    python = Unicode(
        "/opt/venv/bin/python",
        help="Python interpreter inside the sandbox image that runs the call server.",
    ).tag(config=True)

    max_memory_limit_mb = Integer(
        256,
        help="""Ceiling on a sandbox's memory limit, in MiB: a problem's own
        memory_limit_mb is lowered to this, and a sandbox started without a problem limit
        gets it. Swap is set equal, so none is added. Raise it only together with the
        host's memory: a worker may run this much per sandbox.""",
    ).tag(config=True)

    memory_limit_mb = Integer(
        None,
        allow_none=True,
        help="Deprecated: use SandboxFactory.max_memory_limit_mb (set here, it is passed on).",
    ).tag(config=True)

    @observe(*_deprecated_aliases)
    def _deprecated_trait(self, change: Any) -> None:
        _pass_on_deprecated(self, change, self._deprecated_aliases[change.name])

    pids_limit = Integer(64, help="Most processes and threads a sandbox may run.").tag(config=True)

    cpu_limit = Float(1.0, help="CPU cores a sandbox may use (fractions allowed).").tag(config=True)

    tmpfs_size_mb = Integer(16, help="Size of the sandbox's writable /tmp, in MiB.").tag(
        config=True
    )

    nofile_limit = Integer(256, help="Open-file limit inside a sandbox.").tag(config=True)

    max_output_bytes = Integer(
        65536,
        help="Most bytes of printed output kept per call; the rest is cut with a note.",
    ).tag(config=True)

    exit_grace_seconds = Float(
        1.0,
        help="""How long a used sandbox may take to end by itself after its submission
        (its call server ends when the runner detaches) before it is killed. Learner code
        that keeps it running is stopped then; the verdict never waits for this.""",
    ).tag(config=True)

    docker_socket = Unicode(
        help="""Path of the Docker daemon's unix socket.
        Default: the path in $DOCKER_HOST when it is unix://..., else /var/run/docker.sock.""",
    ).tag(config=True)

    @default("docker_socket")
    def _default_socket(self) -> str:
        host = os.environ.get("DOCKER_HOST", "")
        if host.startswith("unix://"):
            return host[len("unix://") :]
        return "/var/run/docker.sock"

    stray_sweep_seconds = Float(
        60.0,
        help="""How often sandboxes that were due for removal but are still there are looked
        for and removed: those whose removal failed because the Docker daemon was away
        (restarting), and those whose start a daemon restart cut short. 0 turns the sweep
        off; every sandbox of this instance is still removed at start and stop.""",
    ).tag(config=True)

    instance_name = Unicode(
        "default",
        help="""Names this grading service's sandboxes (a container label), so that clean-up
        at start and stop removes only its own; give each service sharing a Docker daemon
        its own. Default: $CODERUNNER_INSTANCE, else default.""",
    ).tag(config=True)

    @default("instance_name")
    def _default_instance(self) -> str:
        return os.environ.get("CODERUNNER_INSTANCE", "default")

    runtime = Unicode(
        help="""Docker runtime that runs the grading sandboxes: "" for the daemon's default
        (runc), or "runsc" for gVisor, which puts a kernel of its own, in user space,
        between learner code and the host's, so that escaping a sandbox needs a gVisor
        bug as well as a Linux one. Turn it on for untrusted learners at scale or on a
        shared host; it costs about twice the start-up time of a sandbox and 16 MiB more
        memory each (README, "gVisor (optional)"). The runtime must be registered with
        the Docker daemon: `hub_config/host-setup.sh --gvisor` (as root) installs runsc
        and registers it; /health/ready answers 503, naming the fix, while it is not.
        Under gVisor every hardening setting stays; the process limit is enforced by
        gVisor's kernel and the memory limit gets 16 MiB for it on top.
        Default: $CODERUNNER_SANDBOX_RUNTIME, else "".""",
    ).tag(config=True)

    @default("runtime")
    def _default_runtime(self) -> str:
        return os.environ.get("CODERUNNER_SANDBOX_RUNTIME", "")

    @observe("runtime")
    def _runtime_changed(self, change: Any) -> None:
        self._gvisor = None

    seccomp_profile = Unicode(
        "coderunner",
        help="""The system calls learner code may make in a sandbox (its seccomp profile).
        "coderunner", the default, is the sandbox's own profile
        (grading_service/grading/sandbox_seccomp.json): the calls Python and its
        libraries need, about 230, where Docker's default allows some 330. It leaves out
        ptrace, io_uring, kernel keyrings, System V IPC, memory locking, new namespaces,
        and every socket but local, IPv4 and IPv6 ones (no netlink, raw packet or
        kernel crypto sockets). It also starts sandboxes a little faster (README,
        "Performance"). "docker-default" is Docker's own profile; any other value is
        the path of a JSON profile of your own, checked when the service starts. gVisor
        (``runtime = "runsc"``) filters calls in its own kernel instead.""",
    ).tag(config=True)

    @validate("seccomp_profile")
    def _check_seccomp_profile(self, proposal: Any) -> str:
        self._seccomp_text = seccomp_profile_text(proposal["value"])
        return proposal["value"]

    _seccomp_text: str | None = None  # the profile's JSON, set by _check_seccomp_profile

    @property
    def seccomp(self) -> str | None:
        """The profile's JSON text for Docker; None for Docker's default."""
        if self._seccomp_text is None and self.seccomp_profile == "coderunner":
            self._seccomp_text = seccomp_profile_text("coderunner")
        return self._seccomp_text

    _client: docker.DockerClient | None = None
    _gvisor: bool | None = None  # whether ``runtime`` is gVisor's; None: not asked yet
    # (image id, call server command, monotonic time to look again), from image_plan()
    _image_plan: tuple[str, list[str], float] | None = None

    # Sandboxes whose removal failed (Docker away): the sweep tries them again. Filled and
    # emptied from Docker calls' threads; set.add and set.discard hold the GIL.
    _unremoved: set[str]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._unremoved = set()

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = docker.DockerClient(
                base_url=f"unix://{self.docker_socket}", max_pool_size=DOCKER_CONNECTIONS
            )
        return self._client

    def agent_command(self, image_labels: dict[str, str] | None = None) -> list[str]:
        """How a sandbox starts its call server, always ``python -I -S`` (``site`` is
        stood in for by the call server itself).

        When the image was built from this very call server (its ``AGENT_LABEL`` holds
        ``AGENT_DIGEST``), the byte code compiled into it runs. Otherwise (an image
        built by another release) the source goes in the command, which costs every
        sandbox about 15 ms more: the daemon and containerd store and copy the 20 kB
        command several times, and Python compiles it.
        """
        if (image_labels or {}).get(AGENT_LABEL) == AGENT_DIGEST:
            return [self.python, "-I", "-S", IMAGE_AGENT_PATH]
        return [self.python, "-I", "-S", "-c", AGENT_SOURCE]

    def container_settings(
        self, memory_limit_mb: int, *, image: str = "", command: list[str] | None = None
    ) -> dict[str, Any]:
        """``containers.create`` arguments for one sandbox with this memory limit, from
        ``image`` (default: the configured one) running ``command`` (default: the call
        server from its source)."""
        return sandbox_container_settings(
            image=image or self.image,
            command=command or self.agent_command(),
            memory_limit_mb=memory_limit_mb,
            cpu_limit=self.cpu_limit,
            pids_limit=self.pids_limit,
            nofile_limit=self.nofile_limit,
            tmpfs_size_mb=self.tmpfs_size_mb,
            max_output_bytes=self.max_output_bytes,
            instance_name=self.instance_name,
            runtime=self.runtime,
            gvisor=self.runtime_is_gvisor(),
            seccomp=self.seccomp,
        )

    def runtime_is_gvisor(self) -> bool:
        """Whether ``runtime`` is gVisor's runsc. Asks the daemon once (a blocking call)
        when a runtime is set; raises SandboxError, naming the fix, when the daemon does
        not know it."""
        if not self.runtime:
            return False
        if self._gvisor is None:
            runtimes = self.client.info().get("Runtimes") or {}
            if self.runtime not in runtimes:
                message = (
                    f"sandbox runtime {self.runtime!r} is not registered with Docker: "
                    "for gVisor, run `hub_config/host-setup.sh --gvisor` as root to install "
                    "and register runsc, or set SandboxFactory.runtime = ''. "
                    f"Docker has: {', '.join(sorted(runtimes))}"
                )
                self.log.error(message)
                raise SandboxError(message)
            entry = runtimes[self.runtime] or {}
            self._gvisor = "runsc" in f"{entry.get('path', '')} {entry.get('runtimeType', '')}"
        return self._gvisor

    async def check_runtime(self) -> None:
        """Raise, naming the fix, when the configured runtime is not registered."""
        await asyncio.to_thread(self.runtime_is_gvisor)

    def memory_limit_for(self, memory_limit_mb: int | None) -> int:
        """The limit a sandbox gets when asked for this one: at most the ceiling."""
        return min(memory_limit_mb or self.max_memory_limit_mb, self.max_memory_limit_mb)

    def image_plan(self) -> tuple[str, list[str]]:
        """The id of the image that sandboxes start from now, and their command.

        The tag is looked up at most every ``IMAGE_RECHECK_SECONDS`` (a blocking call),
        and sandboxes are created from the id it named then, so that the command always
        suits the image it runs in, even while the tag moves to a rebuilt image.
        """
        plan = self._image_plan
        now = time.monotonic()
        if plan is None or now >= plan[2]:
            attrs = self.client.api.inspect_image(self.image)
            labels = (attrs.get("Config") or {}).get("Labels") or {}
            command = self.agent_command(labels)
            if "-c" in command and (plan is None or plan[0] != attrs["Id"]):
                self.log.warning(
                    "the sandbox image %s was built from another release's call server, so "
                    "every sandbox is sent its source (about 15 ms slower): rebuild it with "
                    "`make image` (sandbox_kernel_image/build.sh)",
                    self.image,
                )
            plan = self._image_plan = (attrs["Id"], command, now + IMAGE_RECHECK_SECONDS)
        return plan[0], plan[1]

    def _create_and_start(self, memory_limit_mb: int) -> str:
        # The low-level calls: ``containers.create`` would also inspect the new
        # container, one more daemon round trip for every submission.
        api = self.client.api
        try:
            image_id, command = self.image_plan()
            settings = self.container_settings(memory_limit_mb, image=image_id, command=command)
        except DockerException:
            self._image_plan = None  # the image may be gone or rebuilt: look again
            raise
        # Named here, so that a container the daemon made but whose id never reached us
        # (the connection cut as the daemon stopped) can still be found and removed.
        name = f"coderunner-sandbox-{secrets.token_hex(8)}"
        create_args = _create_container_args({**settings, "name": name, "version": api._version})
        try:
            container_id = api.create_container(**create_args)["Id"]
        except docker.errors.APIError as exc:
            self._image_plan = None  # the image may be gone or rebuilt: look again
            if exc.is_server_error():  # made or not, the daemon failed while making it
                self._unremoved.add(name)
            raise
        except DOCKER_FAULTS as exc:
            if not _never_sent(exc):
                self._unremoved.add(name)  # maybe made: the sweep removes it by name
            raise
        try:
            api.start(container_id)
        except DOCKER_FAULTS:
            with contextlib.suppress(*DOCKER_FAULTS):  # if not now, the sweep does it
                self._remove(container_id)
            raise
        return container_id

    async def start(self, memory_limit_mb: int | None = None) -> str:
        """A fresh, started sandbox; its id. Raises SandboxError on Docker faults."""
        limit = self.memory_limit_for(memory_limit_mb)
        try:
            return await asyncio.to_thread(self._create_and_start, limit)
        except DOCKER_FAULTS as exc:
            raise SandboxError(f"could not start a sandbox from {self.image}: {exc}") from exc

    async def set_memory_limit(self, container_id: str, memory_limit_mb: int) -> None:
        """Change a started sandbox's memory (and swap) limit before it is used.

        gVisor's runsc cannot change a started sandbox's limits (it has no ``update``);
        the SandboxError then makes the pool start a new sandbox with the right one."""
        if self._gvisor:
            raise SandboxError("gVisor (runsc) cannot change a started sandbox's limits")
        try:
            await asyncio.to_thread(
                self.client.api.update_container, container_id, **memory_settings(memory_limit_mb)
            )
        except DockerException as exc:
            raise SandboxError(f"could not set the sandbox's memory limit: {exc}") from exc

    def _oom_killed(self, container_id: str) -> bool:
        try:
            state = self.client.api.inspect_container(container_id)["State"]
        except NotFound:
            return False
        return bool(state.get("OOMKilled"))

    async def oom_killed(self, container_id: str) -> bool:
        try:
            return await asyncio.to_thread(self._oom_killed, container_id)
        except DockerException:
            return False

    def _remove(self, container_id: str) -> bool:
        """Remove a sandbox (by id or name); False when it was already gone."""
        try:
            self.client.api.remove_container(container_id, force=True)
        except NotFound:
            self._unremoved.discard(container_id)
            return False
        except DOCKER_FAULTS:
            self._unremoved.add(container_id)  # the sweep tries again
            raise
        self._unremoved.discard(container_id)
        return True

    def _retire(self, container_id: str) -> None:
        try:
            self.client.api.wait(
                container_id, timeout=self.exit_grace_seconds, condition="not-running"
            )
        except NotFound:
            return
        except Exception:  # noqa: BLE001 - still running (a timeout): it is killed below
            pass
        self._remove(container_id)

    async def retire(self, container_id: str) -> None:
        """Remove a used sandbox once its call server has ended, which it does when the
        runner detaches (its stdin is "once"); after ``exit_grace_seconds`` it is killed.

        A container that exits by itself costs the daemon less to remove than one it has
        to kill, and the daemon's time is what limits how many sandboxes start a second.
        """
        try:
            await asyncio.to_thread(self._retire, container_id)
        except DOCKER_FAULTS as exc:
            self.log.warning("could not remove sandbox %s: %s", container_id[:12], exc)

    async def remove(self, container_id: str) -> None:
        try:
            await asyncio.to_thread(self._remove, container_id)
        except DOCKER_FAULTS as exc:
            self.log.warning("could not remove sandbox %s: %s", container_id[:12], exc)

    def _remove_all(self) -> int:
        # Only sandboxes: learners' servers carry the same instance label.
        found = self.client.api.containers(
            all=True,
            filters={"label": [f"{INSTANCE_LABEL}={self.instance_name}", f"{LABEL}=sandbox"]},
        )
        for c in found:
            self._remove(c["Id"])
        return len(found)

    async def remove_all(self) -> int:
        """Remove every sandbox left behind (at start-up and shutdown)."""
        return await asyncio.to_thread(self._remove_all)

    def _sweep(self) -> int:
        removed = 0
        for container_id in list(self._unremoved):
            removed += self._remove(container_id)
        never_started = self.client.api.containers(
            all=True,
            filters={
                "label": [f"{INSTANCE_LABEL}={self.instance_name}", f"{LABEL}=sandbox"],
                "status": "created",
            },
        )
        for c in never_started:
            if time.time() - c["Created"] > STRAY_CREATED_SECONDS:
                removed += self._remove(c["Id"])
        return removed

    async def sweep(self) -> int:
        """Remove the sandboxes left behind while the service runs: those whose removal
        failed when it was due (the Docker daemon was away), and those of this instance
        created long ago and never started (a daemon restart cut their start short).
        Running sandboxes are never touched: another replica sharing this instance's
        name may be using them. Returns how many were removed."""
        removed = await asyncio.to_thread(self._sweep)
        if removed:
            metrics.SANDBOXES_SWEPT.inc(removed)
            self.log.info("removed %d sandboxes left behind", removed)
        return removed

    async def sweep_forever(self) -> None:
        """``sweep`` every ``stray_sweep_seconds`` until cancelled."""
        if self.stray_sweep_seconds <= 0:
            return
        while True:
            await asyncio.sleep(self.stray_sweep_seconds)
            try:
                await self.sweep()
            except DOCKER_FAULTS as exc:  # still away: the next round tries again
                self.log.debug("sandbox sweep: %s", exc)

    async def ping(self, timeout_seconds: float = 10.0) -> None:
        """Raise unless the daemon answers ``/_ping`` on a new connection (within
        ``timeout_seconds``: a frozen daemon accepts connections and never answers).

        A new one, not the client's pooled connections: a daemon that is stopping closes
        its socket at once but may go on answering the connections it has for seconds
        (with live-restore, until the sandboxes' attach streams end), while every new
        sandbox already fails."""
        async with asyncio.timeout(timeout_seconds):
            try:
                reader, writer = await asyncio.open_unix_connection(self.docker_socket)
            except OSError as exc:  # no socket, or nobody listening on it
                raise SandboxError(
                    f"no Docker daemon answers at {self.docker_socket}: {exc.strerror or exc}"
                ) from None
            try:
                writer.write(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
                await writer.drain()
                status = await reader.readline()
            finally:
                writer.close()
        if status.split()[1:2] != [b"200"]:
            raise SandboxError(f"the Docker daemon answered {status[:80]!r} to a ping")

    def image_id(self) -> str:
        return self.client.images.get(self.image).id

    async def check_image(self) -> None:
        """Raise, naming what is missing and how to fix it, when sandboxes cannot be made:
        the sandbox image is missing, or the configured runtime is not registered with
        Docker (``/health/ready`` calls this)."""
        try:
            await asyncio.to_thread(self.client.images.get, self.image)
        except docker.errors.ImageNotFound:
            message = (
                f"the sandbox image {self.image} is missing: build it with `make image` "
                "(sandbox_kernel_image/build.sh) or set CODERUNNER_SANDBOX_IMAGE"
            )
            self.log.error(message)
            raise SandboxError(message) from None
        await self.check_runtime()


class SandboxPool(LoggingConfigurable):
    """Sandboxes created and started ahead of demand, each handed out exactly once.

    Starting a container costs a few hundred milliseconds; the pool moves that off the
    submission's path. A handed-out sandbox is never returned: the worker removes it
    after its one submission (trust rule 3).
    """

    size = Integer(
        4,
        help="""Started sandboxes always kept ready, however quiet it is. A little more
        than the number of workers avoids misses. 0 turns the pool off (each submission
        starts its own).""",
    ).tag(config=True)

    max_size = Integer(
        12,
        help="""Most sandboxes kept ready when submissions arrive quickly. The pool grows
        above ``size`` to cover the sandboxes taken while replacements start (the recent
        arrival rate × the recent start time, twice over), and shrinks back when it is
        quiet. Also capped by ``memory_cap_mb``.""",
    ).tag(config=True)

    memory_cap_mb = Integer(
        2048,
        help="""Memory in MiB the ready sandboxes may reserve together (each reserves its
        memory limit, ``start_memory_limit_mb``): a busy pool never grows past it.""",
    ).tag(config=True)

    demand_window_seconds = Float(
        30.0,
        help="How far back the pool looks to measure how quickly sandboxes are taken.",
    ).tag(config=True)

    start_memory_limit_mb = Integer(
        128,
        help="""Memory limit in MiB that pooled sandboxes start with; set it to the limit
        most problems ask for. A problem asking for another limit gets its sandbox adjusted
        when it is handed out (a little slower). Capped by
        SandboxFactory.max_memory_limit_mb.""",
    ).tag(config=True)

    memory_limit_mb = Integer(
        None,
        allow_none=True,
        help="Deprecated: use SandboxPool.start_memory_limit_mb (set here, it is passed on).",
    ).tag(config=True)

    _deprecated_aliases = {"memory_limit_mb": "start_memory_limit_mb"}  # old name: new name

    @observe(*_deprecated_aliases)
    def _deprecated_trait(self, change: Any) -> None:
        _pass_on_deprecated(self, change, self._deprecated_aliases[change.name])

    max_parallel_starts = Integer(
        2,
        help="Sandboxes created at the same time when refilling the pool.",
    ).tag(config=True)

    def __init__(self, factory: SandboxFactory, **kwargs) -> None:
        super().__init__(**kwargs)
        self.factory = factory
        self._ready: asyncio.Queue[str] = asyncio.Queue()
        self._starting = 0
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._starts: set[asyncio.Task] = set()  # starts under way (``_start_one``)
        self._closed = False
        self._taken: deque[float] = deque()  # monotonic times sandboxes were handed out
        self._start_seconds = 0.5  # moving average of a start; a guess until measured

    @property
    def pool_limit(self) -> int:
        return self.factory.memory_limit_for(self.start_memory_limit_mb)

    @property
    def ready_count(self) -> int:
        return self._ready.qsize()

    @property
    def arrival_rate(self) -> float:
        """Sandboxes taken per second over the last ``demand_window_seconds``."""
        horizon = time.monotonic() - self.demand_window_seconds
        while self._taken and self._taken[0] < horizon:
            self._taken.popleft()
        return len(self._taken) / self.demand_window_seconds

    @property
    def target(self) -> int:
        """How many sandboxes to keep ready now: ``size`` when quiet; when busy, enough
        to cover twice the sandboxes taken while one starts, within ``max_size`` and
        ``memory_cap_mb``."""
        if self.size <= 0:
            return 0
        wanted = math.ceil(2 * self.arrival_rate * self._start_seconds)
        ceiling = min(max(self.max_size, self.size), self.memory_cap_mb // self.pool_limit)
        return max(self.size, min(wanted, ceiling))

    def describe(self) -> dict[str, Any]:
        """The pool's state, for ``/health/ready`` and the metrics."""
        return {
            "ready": self.ready_count,
            "size": self.size,
            "target": self.target,
            "arrivals_per_minute": round(self.arrival_rate * 60, 1),
            "start_seconds": round(self._start_seconds, 3),
        }

    async def start(self) -> None:
        if self.size > 0:
            self._task = asyncio.create_task(self._refill_forever())

    async def acquire(self, memory_limit_mb: int | None = None) -> str:
        """A started sandbox for one submission (from the pool when one is ready)."""
        limit = self.factory.memory_limit_for(memory_limit_mb)
        self._taken.append(time.monotonic())
        try:
            container_id = self._ready.get_nowait()
        except asyncio.QueueEmpty:
            if self.size > 0:  # the pool is on, and had nothing ready
                metrics.POOL_EXHAUSTED.inc()
            self._wakeup.set()  # a replacement starts now, not after this one
            return await self.factory.start(limit)
        self._wakeup.set()
        if limit != self.pool_limit:
            try:
                await self.factory.set_memory_limit(container_id, limit)
            except SandboxError:
                await self.factory.remove(container_id)
                return await self.factory.start(limit)
        return container_id

    async def _refill_forever(self) -> None:
        # Up to ``max_parallel_starts`` starts are kept under way: a new one begins the
        # moment one ends, not when a whole batch has ended, so a slow start does not
        # hold back the others while sandboxes are being taken quickly.
        while not self._closed:
            target = self.target
            missing = target - self._ready.qsize() - self._starting
            if missing > 0 and self._starting < self.max_parallel_starts:
                self._starting += 1
                task = asyncio.create_task(self._start_one())
                self._starts.add(task)
                task.add_done_callback(self._starts.discard)
                continue
            if missing < 0 and self._ready.qsize() > target:
                # Quiet again: give back one surplus sandbox at a time.
                await self.factory.remove(self._ready.get_nowait())
                continue
            self._wakeup.clear()
            try:
                # Woken by every hand-out and every start that ends; otherwise look
                # again as demand decays.
                await asyncio.wait_for(self._wakeup.wait(), self.demand_window_seconds / 6)
            except TimeoutError:
                pass

    async def _start_one(self) -> None:
        started = time.monotonic()
        try:
            container_id = await self.factory.start(self.pool_limit)
        except Exception as exc:  # noqa: BLE001 - Docker's fault, logged; the pool goes on
            self.log.warning("pool could not start a sandbox: %s", exc)
            await asyncio.sleep(1.0)  # Docker is struggling; do not spin
            return
        finally:
            self._starting -= 1
            self._wakeup.set()
        self._start_seconds = 0.7 * self._start_seconds + 0.3 * (time.monotonic() - started)
        if self._closed:
            await self.factory.remove(container_id)
        else:
            self._ready.put_nowait(container_id)
            self._wakeup.set()

    async def flush(self) -> None:
        """Remove the ready sandboxes and start new ones: after a fault of the Docker
        daemon (a restart kills every container) they may be dead."""
        while not self._ready.empty():
            await self.factory.remove(self._ready.get_nowait())
        self._wakeup.set()

    async def close(self, grace_seconds: float = 30.0) -> None:
        """Stop refilling and remove the ready sandboxes.

        Starts already under way are waited for, not cancelled: a cancelled thread would
        still create its container, and nobody would remove it.
        """
        self._closed = True
        self._wakeup.set()
        if self._task:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace_seconds)
            except (TimeoutError, Exception):  # noqa: BLE001
                self._task.cancel()
        if self._starts:  # each removes its sandbox, the pool being closed
            await asyncio.wait(set(self._starts), timeout=grace_seconds)
        while not self._ready.empty():
            await self.factory.remove(self._ready.get_nowait())


def _pass_on_deprecated(configurable: LoggingConfigurable, change: Any, new_name: str) -> None:
    """A deprecated option keeps working: warn, naming its replacement, and set that."""
    if change.new is None:
        return
    cls = type(configurable).__name__
    configurable.log.warning(
        "%s.%s is deprecated; use %s.%s instead", cls, change.name, cls, new_name
    )
    setattr(configurable, new_name, change.new)
