"""Benchmark of the grading path: ``make bench`` (``python -m tests.bench``).

In one process and one run, on a benchmark problem with five hidden tests
(``tests/bench/content/bench/level-1/bench-five``), it measures:

(a) the real path, in-process: HTTP ``POST /api/submissions`` → Redis stream → worker →
    sandbox container → MongoDB, with the client long-polling
    ``GET /api/submissions/{id}?wait=30`` (or polling every ``--poll-ms``) until the
    verdict is there. First with one submission in flight
    (``--sequential``), then at saturation: for every worker concurrency C in
    ``--sweep``, ``--saturation`` submissions with ``--in-flight-factor`` × C in flight;
    the level with the highest throughput is "saturated".
(b) the baseline of the original design: one ``docker run --rm`` per test case, one after
    another, each running the learner's code plus that test's call in the sandbox image.
(c) the raw ceiling: ``docker run --rm --network none <image> python3 -c pass`` at the
    same parallelism as the saturation run (its number of submissions in flight).
(c2) the sandbox ceiling: containers with the sandbox's own settings (its network
    disabled, which spares the daemon a hook that (c) pays), made through the Docker API
    as the service makes them, running ``python -I -S -c pass``, at the same parallelism:
    what Docker alone costs per sandbox, so the saturated run's ratio to it is the
    service's own overhead.

Redis and the MongoDB-protocol server are started as the tests start them
(``hub_config.devstack.Stack``); the grading service runs in this process with a fake hub
identity. Every container started here carries a label and is removed at the end, also
on Ctrl-C. Results are printed as a table and written as JSON to ``--out``.

Extra service configuration goes through ``--set Class.trait=value`` (the value is a
Python literal when it parses as one, else a string), e.g. ``--set SandboxPool.size=4``.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import contextvars
import datetime as dt
import functools
import inspect
import json
import logging
import math
import os
import platform
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
BENCH_CONTENT = ROOT / "tests" / "bench" / "content"
PROBLEM_ID = "bench-five"
SOLUTION = "def digit_sum(n):\n    return sum(int(d) for d in str(n))\n"
INSTANCE_LABEL = "org.coderunner.instance"
BENCH_LABEL = "org.coderunner.bench"

TARGET_P50_MS = 60.0
TARGET_P95_MS = 200.0
TARGET_THROUGHPUT_RATIO = 0.9
TARGET_LATENCY_RATIO = 10.0

log = logging.getLogger("coderunner.benchmark")


# --------------------------------------------------------------------------- helpers


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * q / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(percentile(values, 50) or 0.0, 1),
        "p95": round(percentile(values, 95) or 0.0, 1),
        "p99": round(percentile(values, 99) or 0.0, 1),
        "mean": round(statistics.fmean(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def parse_set(items: list[str]) -> dict[str, dict[str, Any]]:
    """``["SandboxPool.size=4"]`` → ``{"SandboxPool": {"size": 4}}``."""
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for item in items:
        key, sep, raw = item.partition("=")
        cls, dot, trait = key.strip().rpartition(".")
        if not sep or not dot or not cls or not trait:
            raise ValueError(f"--set wants Class.trait=value, got {item!r}")
        try:
            value = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            value = raw.strip()
        out[cls][trait] = value
    return dict(out)


def hidden_cases(problem_dir: Path) -> list[tuple[str, str, Any]]:
    """``(test name, call source, expected value)`` for each ``assert call == literal``."""
    tree = ast.parse((problem_dir / "tests_hidden.py").read_text(encoding="utf-8"))
    cases = []
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test")):
            continue
        for stmt in node.body:
            test = getattr(stmt, "test", None)
            if (
                isinstance(stmt, ast.Assert)
                and isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)
            ):
                cases.append(
                    (node.name, ast.unparse(test.left), ast.literal_eval(test.comparators[0]))
                )
                break
        else:
            raise ValueError(f"{node.name}: expected one `assert <call> == <literal>`")
    return cases


def learner_code(n: int, tag: str) -> str:
    """The correct solution, made unique per submission so dedup never merges two."""
    return f"{SOLUTION}\n# benchmark submission {tag}-{n}\n"


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.1f}{unit}" if value < 100 else f"{value:.0f}{unit}"


# --------------------------------------------------------------------------- Docker CLI


async def docker_run(argv: list[str]) -> tuple[int, bytes, bytes, float]:
    """Run ``docker run …`` to completion; (returncode, stdout, stderr, seconds)."""
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        "docker",
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await proc.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await asyncio.shield(proc.wait())
        raise
    return proc.returncode or 0, out, err, time.monotonic() - started


def labels(run_id: str, role: str) -> list[str]:
    return ["--label", f"{BENCH_LABEL}={run_id}", "--label", f"org.coderunner.role={role}"]


async def baseline_submission(
    image: str, run_id: str, code: str, cases: list[tuple[str, str, Any]]
) -> tuple[float, int, float]:
    """Grade one submission the original way; (ms, tests passed, ms of the first run)."""
    started = time.monotonic()
    passed, first = 0, 0.0
    for name, call, expected in cases:
        program = f"{code}\nimport sys as _s\n_s.stdout.write(repr({call}))\n"
        rc, out, err, seconds = await docker_run(
            [
                "run",
                "--rm",
                "--network",
                "none",
                "--read-only",
                "--user",
                "65534:65534",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
                "--pids-limit",
                "64",
                "--memory",
                "128m",
                "--memory-swap",
                "128m",
                "--cpus",
                "1",
                "--tmpfs",
                "/tmp:rw,noexec,nosuid,nodev,size=16m",
                "--workdir",
                "/tmp",
                *labels(run_id, "bench-baseline"),
                image,
                "python3",
                "-I",
                "-c",
                program,
            ]
        )
        first = first or seconds * 1000
        if rc != 0:
            raise RuntimeError(
                f"baseline {name}: docker run failed ({rc}): {err.decode(errors='replace')[-500:]}"
            )
        try:
            ok = ast.literal_eval(out.decode()) == expected
        except (ValueError, SyntaxError):
            ok = False
        passed += ok
    return (time.monotonic() - started) * 1000, passed, first


async def run_pool(
    n: int, parallel: int, one: Callable[[int], Awaitable[Any]], pace_s: float = 0.0
) -> tuple[list[Any], float]:
    """Run ``one(i)`` for i in range(n) with ``parallel`` at a time; (results, seconds).
    With ``pace_s``, each lane starts its calls at least that far apart."""
    results: list[Any] = [None] * n
    counter = iter(range(n))

    async def lane() -> None:
        for i in counter:
            began = time.monotonic()
            results[i] = await one(i)
            if pace_s:
                await asyncio.sleep(max(0.0, pace_s - (time.monotonic() - began)))

    started = time.monotonic()
    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(parallel, n))):
            group.create_task(lane())
    return results, time.monotonic() - started


async def containers_at(
    n: int, parallel: int, one: Callable[[int], Awaitable[float]]
) -> dict[str, Any]:
    """``n`` container lives (``one`` gives each one's milliseconds), ``parallel`` at a
    time: their rate and latencies."""
    latencies, seconds = await run_pool(n, parallel, one)
    return {
        "n": n,
        "parallel": parallel,
        "seconds": round(seconds, 3),
        "containers_per_s": round(n / seconds, 3),
        "latency_ms": summary(latencies),
    }


async def run_ceiling(image: str, run_id: str, n: int, parallel: int) -> dict[str, Any]:
    async def one(_: int) -> float:
        rc, _out, err, seconds = await docker_run(
            [
                "run",
                "--rm",
                "--network",
                "none",
                *labels(run_id, "bench-ceiling"),
                image,
                "python3",
                "-c",
                "pass",
            ]
        )
        if rc != 0:
            raise RuntimeError(
                f"ceiling: docker run failed ({rc}): {err.decode(errors='replace')[-500:]}"
            )
        return seconds * 1000

    return await containers_at(n, parallel, one)


async def run_sandbox_ceiling(image: str, instance: str, n: int, parallel: int) -> dict[str, Any]:
    """(c2): containers with the sandbox's own settings (network disabled, read-only,
    limits), through the Docker API as the service makes them, each running
    ``python -I -S -c pass``: what Docker alone costs per sandbox on this machine."""
    from docker.models.containers import _create_container_args

    from grading_service.grading.sandbox import SandboxFactory

    factory = SandboxFactory(image=image, instance_name=instance)
    settings = factory.container_settings(128, command=[factory.python, "-I", "-S", "-c", "pass"])
    settings["stdin_open"] = False
    api = factory.client.api
    args = _create_container_args({**settings, "version": api._version})

    def life() -> float:
        started = time.monotonic()
        container_id = api.create_container(**args)["Id"]
        try:
            api.start(container_id)
            status = api.wait(container_id, timeout=60)["StatusCode"]
        finally:
            api.remove_container(container_id, force=True)
        if status != 0:
            raise RuntimeError(f"sandbox ceiling: python -c pass exited {status}")
        return (time.monotonic() - started) * 1000

    async def one(_: int) -> float:
        return await asyncio.to_thread(life)

    return await containers_at(n, parallel, one)


async def probe_python(python: str, n: int = 5) -> dict[str, Any]:
    """What the per-submission runner process costs before it does any work."""

    async def once(code: str) -> float:
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            python,
            "-c",
            code,
            cwd=str(ROOT),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await proc.wait()
        return (time.monotonic() - started) * 1000

    bare = [await once("pass") for _ in range(n)]
    runner = [await once("import grading_service.grading.runner") for _ in range(n)]
    return {
        "python_start_ms": round(statistics.median(bare), 1),
        "python_start_import_runner_ms": round(statistics.median(runner), 1),
    }


def remove_bench_containers(run_id: str, instance: str) -> int:
    """Remove every container this run started (benchmark runs and service sandboxes)."""
    import docker

    client = docker.from_env()
    removed = 0
    try:
        for flt in (f"{BENCH_LABEL}={run_id}", f"{INSTANCE_LABEL}={instance}"):
            for c in client.api.containers(all=True, filters={"label": flt}):
                with contextlib.suppress(docker.errors.NotFound):
                    client.api.remove_container(c["Id"], force=True)
                    removed += 1
    finally:
        client.close()
    return removed


# --------------------------------------------------------------------------- CPU accounting


def _proc_cpu_seconds(pid: int) -> float:
    """utime + stime (+ waited-for children) of one process, from /proc; 0 if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    except OSError:
        return 0.0
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in first)
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _pids_named(*names: str) -> list[int]:
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() in names:
                found.append(int(comm.parent.name))
    return found


def _fork_servers() -> list[int]:
    """This process's multiprocessing fork server(s), which start the runner processes."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, ValueError):
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            if int(fields.get("PPid", "0")) != os.getpid():
                continue
            cmdline = (status.parent / "cmdline").read_bytes()
            if b"forkserver" in cmdline:
                found.append(int(status.parent.name))
    return found


class CpuMeter:
    """CPU seconds spent by each part of the system between two snapshots (Linux only).

    "other" is the machine's busy time minus the named parts: container shims, runc,
    the sandboxed processes themselves, the kernel, and anything else running here.
    """

    def __init__(self, stack_pids: dict[str, int]) -> None:
        self.pids = {
            "mongodb_server": [stack_pids.get("mongodb", 0)],
            "redis": [stack_pids.get("redis", 0)],
            "dockerd": _pids_named("dockerd"),
            "containerd": _pids_named("containerd"),
        }

    def snapshot(self) -> dict[str, float]:
        t = os.times()
        snap = {
            "benchmark_process": t.user + t.system,
            "runner_and_cli_children": t.children_user + t.children_system,
            # The runner processes are the fork server's children: their time shows in
            # its own (reaped children's) counters, not in this process's.
            "runner_processes": sum(_proc_cpu_seconds(pid) for pid in _fork_servers()),
        }
        for name, pids in self.pids.items():
            snap[name] = sum(_proc_cpu_seconds(pid) for pid in pids if pid)
        snap["machine_busy"] = _machine_busy_seconds()
        snap["wall"] = time.monotonic()
        return snap

    @staticmethod
    def per_item(before: dict[str, float], after: dict[str, float], items: int) -> dict[str, Any]:
        """CPU milliseconds per item (submission or container) and machine busy share."""
        delta = {k: after[k] - before[k] for k in before}
        wall = delta.pop("wall")
        busy = delta.pop("machine_busy")
        named = sum(delta.values())
        out = {k: round(v * 1000 / items, 1) for k, v in delta.items()}
        out["other"] = round((busy - named) * 1000 / items, 1)
        out["total"] = round(busy * 1000 / items, 1)
        out["machine_busy_share"] = round(busy / (wall * (os.cpu_count() or 1)), 3)
        return out


# --------------------------------------------------------------------------- tracing

CURRENT_SUBMISSION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bench_submission", default=None
)


class Tracer:
    """Times the service's own steps per submission by wrapping methods on its instances.

    Only what exists is wrapped, so the service can change without breaking this. Worker
    steps find their submission through a context variable set when the worker marks the
    submission running (the first thing it does with a job).
    """

    def __init__(self) -> None:
        self.spans: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.values: dict[str, dict[str, float]] = defaultdict(dict)
        self.wrapped: list[str] = []

    def wrap(
        self,
        obj: Any,
        attr: str,
        stage: str,
        *,
        sid_from: Callable[[tuple, dict], str | None] | None = None,
        sets_current: bool = False,
        after: Callable[[str, Any], None] | None = None,
    ) -> None:
        orig = getattr(obj, attr, None) if obj is not None else None
        if orig is None or not inspect.iscoroutinefunction(orig):
            return

        @functools.wraps(orig)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            sid = sid_from(args, kwargs) if sid_from else CURRENT_SUBMISSION.get()
            if sets_current:
                CURRENT_SUBMISSION.set(sid)
            t0 = time.monotonic()
            try:
                result = await orig(*args, **kwargs)
            finally:
                if sid:
                    self.spans[sid][stage].append((t0, time.monotonic()))
            if after and sid:
                after(sid, result)
            return result

        setattr(obj, attr, wrapper)
        self.wrapped.append(f"{type(obj).__name__}.{attr}")

    def instrument(self, app: Any) -> None:
        def first_arg(args: tuple, kwargs: dict) -> str | None:
            value = args[0] if args else next(iter(kwargs.values()), None)
            if isinstance(value, dict):
                value = value.get("_id")
            return getattr(value, "submission_id", value) if value is not None else None

        def runner_inner(sid: str, outcome: Any) -> None:
            if isinstance(outcome, dict) and "duration_ms" in outcome:
                self.values[sid]["runner_inner"] = float(outcome["duration_ms"])

        # Each benchmark submission is made by a user of its own, so the token names it
        # until the submission has an id (``breakdown`` takes the first check: the POST's).
        self.wrap(
            getattr(app, "identity", None),
            "user_for",
            "auth",
            sid_from=lambda a, k: f"token:{a[0] if a else k.get('authorization')}",
        )
        self.wrap(app.admission, "admit", "admission", sid_from=lambda a, k: k.get("submission_id"))
        self.wrap(app.storage, "insert_submission", "insert", sid_from=first_arg)
        self.wrap(app.queue, "enqueue", "enqueue", sid_from=first_arg)
        self.wrap(
            app.storage, "mark_running", "mark_running", sid_from=first_arg, sets_current=True
        )
        self.wrap(getattr(app, "pool", None), "acquire", "sandbox_acquire")
        self.wrap(app.sandboxes, "start", "sandbox_start")
        self.wrap(app.sandboxes, "set_memory_limit", "sandbox_set_memory")
        self.wrap(getattr(app, "grader", None), "_run_runner", "runner", after=runner_inner)
        self.wrap(app.sandboxes, "oom_killed", "oom_check")
        self.wrap(app.sandboxes, "retire", "sandbox_remove")
        self.wrap(app.storage, "store_verdict", "store_verdict")
        self.wrap(app.storage, "get_submission", "reload_verdict")
        self.wrap(app.storage, "record_progress", "record_progress")
        self.wrap(app.queue, "ack", "ack")
        self.wrap(getattr(app, "notifier", None), "publish", "notify", sid_from=first_arg)

    def breakdown(
        self, sid: str, t_submit: float, t_accepted: float, t_seen: float, token: str = ""
    ) -> dict[str, float]:
        """Milliseconds per step of one submission, from POST to the poll that saw it.

        Steps nest: ``sandbox_acquire`` (pool) contains ``sandbox_start`` when the pool was
        empty and ``sandbox_set_memory`` when the pooled sandbox's limit had to change;
        ``runner`` = ``runner_spawn_import_io`` + ``runner_in_process``. The client sees
        the verdict once ``store_verdict`` is done; progress/ack come after (``reload``
        only appears for a job delivered twice).
        """
        spans = self.spans.get(sid, {})
        ms: dict[str, float] = {"post_http": (t_accepted - t_submit) * 1000}
        for stage, items in spans.items():
            ms[stage] = sum(t1 - t0 for t0, t1 in items) * 1000
        checks = self.spans.get(f"token:token {token}", {}).get("auth")
        if checks:  # the POST's own check of its token
            ms["auth"] = (checks[0][1] - checks[0][0]) * 1000
        # The rest of the POST: HTTP, authentication, the request limits, parsing.
        ms["auth_http"] = ms["post_http"] - sum(
            ms.get(k, 0.0) for k in ("admission", "insert", "enqueue")
        )
        inner = self.values.get(sid, {}).get("runner_inner")
        if "runner" in ms and inner is not None:
            ms["runner_in_process"] = inner
            ms["runner_spawn_import_io"] = ms["runner"] - inner
        enqueued, running = spans.get("enqueue"), spans.get("mark_running")
        stored, acked = spans.get("store_verdict"), spans.get("ack")
        if enqueued and running:
            # The worker's blocking XREADGROUP often answers before the handler's XADD
            # call has returned, so this can be a hair below zero: read it as zero.
            ms["queue_wait"] = max(0.0, (running[0][0] - enqueued[-1][1]) * 1000)
        if running and stored:
            ms["worker_to_verdict"] = (stored[-1][1] - running[0][0]) * 1000
            traced = sum(
                ms.get(k, 0.0)
                for k in ("mark_running", "runner", "oom_check", "sandbox_remove", "store_verdict")
            )
            traced += ms.get("sandbox_acquire", ms.get("sandbox_start", 0.0))
            ms["worker_untraced"] = ms["worker_to_verdict"] - traced
            ms["verdict_to_client"] = (t_seen - stored[-1][1]) * 1000
            published = spans.get("notify")
            if published:  # the waiting GET is woken, reads the verdict, answers
                ms["notify_to_client"] = (t_seen - published[-1][1]) * 1000
            if acked:
                ms["after_verdict"] = (acked[-1][1] - stored[-1][1]) * 1000
        return ms


# --------------------------------------------------------------------------- service


class FakeIdentity:
    """Accepts ``<secret>-<user>`` tokens: the hub's answer about tokens is faked."""

    def __init__(self, secret: str) -> None:
        self.prefix = f"{secret}-"

    async def user_for(self, authorization: str | None) -> dict:
        from grading_service.edge.auth import AuthError, token_from_header

        token = token_from_header(authorization) or ""
        if token.startswith(self.prefix) and len(token) > len(self.prefix):
            return {"name": token[len(self.prefix) :], "kind": "user", "scopes": [], "groups": []}
        raise AuthError(401, "Invalid or expired token.")

    async def cohorts(self, names: list[str]) -> list:
        """Benchmark users are in no cohort (the hub would be asked about each group)."""
        return []


@dataclass
class Sample:
    sid: str
    t_submit: float
    t_accepted: float
    t_seen: float
    verdict: str
    passed: int
    total: int
    server_ms: float | None
    refusals: int = 0
    polls: int = 0
    steps: dict[str, float] = field(default_factory=dict)
    token: str = ""

    @property
    def latency_ms(self) -> float:
        return (self.t_seen - self.t_submit) * 1000


class Bench:
    def __init__(self, args: argparse.Namespace, run_id: str, instance: str, backing: Any) -> None:
        self.args = args
        self.run_id = run_id
        self.instance = instance
        self.backing = backing
        self.secret = secrets.token_hex(8)
        self.http = AsyncHTTPClient(force_instance=True, max_clients=1024)
        self.app: Any = None
        self.tracer: Tracer | None = None
        self.counter = 0
        self.cpu = CpuMeter(getattr(backing, "pids", {}) or {})

    async def start_service(self, concurrency: int, tag: str) -> None:
        from grading_service.app import GradingService
        from hub_config.devstack import free_port

        # The hub is never asked (identity is faked below) but the service wants these.
        os.environ.setdefault("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
        os.environ.setdefault("JUPYTERHUB_API_TOKEN", "unused-by-the-benchmark")
        if not (
            os.environ.get("CODERUNNER_JWT_SECRET") or os.environ.get("CODERUNNER_JWT_SECRET_FILE")
        ):
            os.environ["CODERUNNER_JWT_SECRET"] = secrets.token_hex(32)
        config = Config()
        # The saturated phase keeps more jobs queued than a learner should wait for, on
        # purpose: it measures throughput, not admission (tests/grading_service/edge/
        # test_admission.py checks the estimated wait). --set can turn it back on.
        config.Admission.max_wait_seconds = 0
        for cls, traits in self.args.set.items():
            for trait, value in traits.items():
                config[cls][trait] = value
        config.SandboxFactory.image = self.args.image
        config.SandboxFactory.instance_name = self.instance
        config.WorkerPool.concurrency = concurrency
        app = GradingService(
            config=config,
            ip="127.0.0.1",
            port=free_port(),
            content_dir=str(BENCH_CONTENT),
            mongodb_uri=self.backing.mongodb_uri,
            redis_url=self.backing.redis_url,
            mongodb_database=f"bench_{self.run_id}_{tag}",
            queue_stream=f"bench:{self.run_id}:{tag}",
        )
        app.initialize([])
        logging.getLogger().setLevel(self.args.log_level.upper())
        fake = FakeIdentity(self.secret)
        app.identity.hub = fake  # type: ignore[assignment]  # JWTs are still checked
        self.tracer = Tracer()
        self.tracer.instrument(app)
        self.app = app  # set first: stop_service must shut down a half-started service
        await app.start_serving()
        self.base = f"http://127.0.0.1:{app.port}"
        await asyncio.sleep(self.args.settle)  # let a warm pool, if any, fill

    async def stop_service(self) -> None:
        app, self.app = self.app, None
        if app is not None:
            await app.shutdown()

    async def _fetch(
        self, method: str, path: str, token: str, body: dict | None = None
    ) -> tuple[int, dict, dict]:
        request = HTTPRequest(
            f"{self.base}{path}",
            method=method,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
            body=json.dumps(body) if body is not None else None,
            request_timeout=120,
        )
        try:
            resp = await self.http.fetch(request)
        except HTTPClientError as exc:
            if exc.response is None:
                raise
            resp = exc.response
        data = json.loads(resp.body) if resp.body else {}
        return resp.code, data, dict(resp.headers)

    async def submit_and_wait(self, tag: str, poll_s: float) -> Sample:
        """POST one correct submission and poll until its verdict; one new user each, so
        per-user rate limits and dedup never shape the numbers."""
        self.counter += 1
        n = self.counter
        token = f"{self.secret}-bench-{tag}-{n}"
        refusals = 0
        while True:
            t_submit = time.monotonic()
            code, body, headers = await self._fetch(
                "POST",
                "/api/submissions",
                token,
                {"problem_id": PROBLEM_ID, "code": learner_code(n, f"{self.run_id}-{tag}")},
            )
            t_accepted = time.monotonic()
            if code in (429, 503) and refusals < 50:
                refusals += 1
                await asyncio.sleep(min(float(headers.get("Retry-After", 1)), 5))
                continue
            if code not in (200, 201, 202):
                raise RuntimeError(f"POST /api/submissions answered {code}: {body}")
            break
        sid = body["id"]
        deadline = t_submit + self.args.timeout
        polls = 0
        while True:
            if poll_s > 0:
                await asyncio.sleep(poll_s)
                path = f"/api/submissions/{sid}"
            else:  # long polling: the service answers once the verdict is stored
                path = f"/api/submissions/{sid}?wait=30"
            polls += 1
            code, doc, _ = await self._fetch("GET", path, token)
            t_seen = time.monotonic()
            if code != 200:
                raise RuntimeError(f"GET /api/submissions/{sid} answered {code}: {doc}")
            if doc.get("status") in ("graded", "failed"):
                break
            if t_seen > deadline:
                raise RuntimeError(f"submission {sid} not graded after {self.args.timeout}s")
        server_ms = None
        with contextlib.suppress(KeyError, TypeError, ValueError):
            server_ms = (
                dt.datetime.fromisoformat(str(doc["finished_at"]))
                - dt.datetime.fromisoformat(str(doc["created_at"]))
            ).total_seconds() * 1000
        sample = Sample(
            sid,
            t_submit,
            t_accepted,
            t_seen,
            str(doc.get("verdict")),
            int(doc.get("passed") or 0),
            int(doc.get("total") or 0),
            server_ms,
            refusals,
            polls,
            token=token,
        )
        return sample

    async def run_real(
        self, tag: str, n: int, in_flight: int, poll_s: float, pace_s: float = 0.0
    ) -> dict:
        if self.args.warmup:
            await run_pool(
                self.args.warmup, in_flight, lambda _: self.submit_and_wait(f"{tag}w", poll_s)
            )
        cpu_before = self.cpu.snapshot()
        started = time.monotonic()
        samples, _ = await run_pool(
            n, in_flight, lambda _: self.submit_and_wait(tag, poll_s), pace_s
        )
        cpu_after = self.cpu.snapshot()
        await self.settle_trace(samples)
        result = real_result(samples, started, in_flight, poll_s)
        result["cpu_ms_per_submission"] = CpuMeter.per_item(cpu_before, cpu_after, n)
        return result

    async def settle_trace(self, samples: list[Sample]) -> None:
        """Give workers a moment to ack the last verdicts, then compute the breakdowns."""
        tracer = self.tracer
        if tracer is None:
            return
        for _ in range(100):
            if all(tracer.spans.get(s.sid, {}).get("ack") for s in samples):
                break
            await asyncio.sleep(0.02)
        for s in samples:
            s.steps = tracer.breakdown(s.sid, s.t_submit, s.t_accepted, s.t_seen, s.token)


# One submission's path in the stages the issue names, from the traced steps: (stage, the
# steps it adds up, the steps it takes away).
STAGES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("auth", ("auth",), ()),
    ("admission", ("admission",), ()),
    ("queue", ("insert", "enqueue", "queue_wait", "mark_running"), ()),
    ("sandbox take", ("sandbox_acquire",), ()),
    ("runner", ("runner",), ()),
    ("store", ("store_verdict", "record_progress"), ()),
    ("notify", ("verdict_to_client",), ("record_progress",)),
]


def stages(latency_ms: float, steps: dict[str, float]) -> dict[str, float]:
    """One submission's milliseconds per stage; ``http and the rest`` is what no stage
    covers: the client's HTTP, request parsing and limits, and the worker's glue."""
    if "verdict_to_client" not in steps:
        return {}
    out = {
        name: sum(steps.get(k, 0.0) for k in plus) - sum(steps.get(k, 0.0) for k in minus)
        for name, plus, minus in STAGES
    }
    out["http and the rest"] = latency_ms - sum(out.values())
    return out


def real_result(
    samples: list[Sample], started: float, in_flight: int, poll_s: float
) -> dict[str, Any]:
    done = sorted(s.t_seen for s in samples)
    seconds = done[-1] - started
    wrong = [s for s in samples if s.verdict != "passed" or s.passed != s.total]
    out: dict[str, Any] = {
        "n": len(samples),
        "in_flight": in_flight,
        "poll_ms": round(poll_s * 1000, 1),
        "seconds": round(seconds, 3),
        "throughput_per_s": round(len(samples) / seconds, 3),
        "latency_ms": summary([s.latency_ms for s in samples]),
        "server_latency_ms": summary([s.server_ms for s in samples if s.server_ms is not None]),
        "not_passed": len(wrong),
        "verdicts": sorted({f"{s.verdict} {s.passed}/{s.total}" for s in samples}),
        "refusals": sum(s.refusals for s in samples),
        "polls_per_submission_p50": statistics.median(s.polls for s in samples),
    }
    # Steady state: completions between the 10th and 90th percentile of finishing times.
    lo, hi = int(len(done) * 0.1), int(len(done) * 0.9) - 1
    if hi - lo >= 2 and done[hi] > done[lo]:
        out["steady_throughput_per_s"] = round((hi - lo) / (done[hi] - done[lo]), 3)
    steps: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        for name, value in s.steps.items():
            steps[name].append(value)
    out["steps_median_ms"] = {k: round(statistics.median(v), 1) for k, v in steps.items()}
    per_stage: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        for name, value in stages(s.latency_ms, s.steps).items():
            per_stage[name].append(value)
    out["stages_median_ms"] = {k: round(statistics.median(v), 1) for k, v in per_stage.items()}
    out["steps_coverage"] = {k: len(v) for k, v in steps.items()}
    out["samples"] = [
        {
            "latency_ms": round(s.latency_ms, 1),
            "server_ms": None if s.server_ms is None else round(s.server_ms, 1),
            "steps_ms": {k: round(v, 1) for k, v in s.steps.items()},
        }
        for s in samples
    ]
    return out


# --------------------------------------------------------------------------- report


STEP_ORDER = [
    "post_http",
    "auth",
    "auth_http",
    "admission",
    "insert",
    "enqueue",
    "queue_wait",
    "mark_running",
    "sandbox_acquire",
    "sandbox_start",
    "sandbox_set_memory",
    "runner",
    "runner_spawn_import_io",
    "runner_in_process",
    "oom_check",
    "sandbox_remove",
    "store_verdict",
    "worker_untraced",
    "worker_to_verdict",
    "verdict_to_client",
    "notify",
    "notify_to_client",
    "reload_verdict",
    "record_progress",
    "ack",
    "after_verdict",
]


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    seq = results["real_sequential"]["latency_ms"]
    ratios = results["ratios"]
    rows = [
        (
            "p50 latency, 1 in flight, back to back",
            seq.get("p50"),
            f"<= {TARGET_P50_MS:.0f} ms",
            seq.get("p50") is not None and seq["p50"] <= TARGET_P50_MS,
        ),
        (
            "p95 latency, 1 in flight, back to back",
            seq.get("p95"),
            f"<= {TARGET_P95_MS:.0f} ms",
            seq.get("p95") is not None and seq["p95"] <= TARGET_P95_MS,
        ),
        (
            "saturated throughput / raw ceiling",
            ratios["throughput_real_over_ceiling"],
            f">= {TARGET_THROUGHPUT_RATIO}x",
            ratios["throughput_real_over_ceiling"] >= TARGET_THROUGHPUT_RATIO,
        ),
        (
            "baseline p50 / real p50 (x lower)",
            ratios["latency_baseline_over_real_p50"],
            f">= {TARGET_LATENCY_RATIO:.0f}x",
            ratios["latency_baseline_over_real_p50"] >= TARGET_LATENCY_RATIO,
        ),
    ]
    paced = results.get("real_paced")
    if paced:
        lat = paced["latency_ms"]
        for name, target in (("p50", TARGET_P50_MS), ("p95", TARGET_P95_MS)):
            rows.append(
                (
                    f"{name} latency, 1 in flight, paced",
                    lat.get(name),
                    f"<= {target:.0f} ms",
                    lat.get(name) is not None and lat[name] <= target,
                )
            )
    board = results.get("dashboard")
    if board:
        from tests.bench import dashboard

        p50 = board["report_ms"]["p50"]
        rows.append(
            (
                f"dashboard refresh, {board['learners']} learners x {board['problems']} "
                f"problems, {board['submissions']} submissions",
                p50,
                f"< {dashboard.TARGET_MS:.0f} ms",
                p50 < dashboard.TARGET_MS,
            )
        )
    return [{"name": n, "value": v, "target": t, "met": bool(m)} for n, v, t, m in rows]


def back_to_back_note(results: dict[str, Any]) -> str:
    """The floor under back-to-back latency on this machine.

    A client that submits again the moment its verdict arrives keeps the machine busy:
    each submission's own sandbox start and removal (trust rule 3) run beside the next
    submission. Then no submission can finish sooner on average than the machine CPU one
    submission costs, divided by the CPUs. Below that only while sandboxes started before
    the run last (the pool), so the p50 of a short run sits near this floor, whatever the
    code does.
    """
    seq = results["real_sequential"]
    cpu = seq.get("cpu_ms_per_submission") or {}
    cpus = results["meta"].get("cpus") or 0
    total = cpu.get("total")
    if not total or not cpus:
        return ""
    floor = total / cpus
    box = ((results.get("sandbox_ceiling") or {}).get("cpu_ms_per_container") or {}).get("total")
    docker = f", {box:.0f} ms of it Docker's for the sandbox alone (c2)" if box else ""
    mean = (seq.get("latency_ms") or {}).get("mean")
    seen = f"; this run's mean {mean:.0f} ms" if mean else ""
    return (
        f"back to back, each submission costs {total:.0f} ms of machine CPU{docker}: "
        f"{cpus} CPUs finish one every {floor:.0f} ms at best on average{seen}"
    )


def render(results: dict[str, Any]) -> str:
    seq, sat = results["real_sequential"], results["real_saturated"]
    base, ceil = results["baseline"], results["ceiling"]
    meta = results["meta"]
    lines = [
        f"Code Runner grading benchmark - image {meta['image']}, {meta['cpus']} CPUs, "
        f"{meta['problem']} ({meta['hidden_tests']} hidden tests)",
        f"extra config: {json.dumps(meta['set']) if meta['set'] else 'none'}; machine busy "
        f"before the run: {meta.get('background_busy_share', 0) * 100:.0f}%"
        + (
            "  <- other work is running here; numbers will be noisy"
            if meta.get("background_busy_share", 0) > 0.15
            else ""
        ),
        "",
        f"{'':44}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'per s':>8}",
    ]

    def row(label: str, n: Any, lat: dict | None, rate: float | None) -> None:
        lat = lat or {}
        lines.append(
            f"{label:44}{n:>5}{fmt(lat.get('p50')):>9}{fmt(lat.get('p95')):>9}"
            f"{fmt(lat.get('p99')):>9}{fmt(rate):>8}"
        )

    row(f"(a) real path, 1 in flight (C={seq['concurrency']})", seq["n"], seq["latency_ms"], None)
    paced = results.get("real_paced")
    for rate in results.get("real_paced_rates") or ([paced] if paced else []):
        row(
            f"(a) real path, 1 in flight, one every {rate['pace_s']:g} s",
            rate["n"],
            rate["latency_ms"],
            None,
        )
    row(
        f"(a) real path, saturated (C={sat['concurrency']}, {sat['in_flight']} in flight)",
        sat["n"],
        sat["latency_ms"],
        sat["throughput_per_s"],
    )
    row("(b) baseline: docker run per test, 5 tests", base["n"], base["latency_ms"], None)
    row(
        f"(c) raw ceiling: docker run python3 -c pass x{ceil['parallel']}",
        ceil["n"],
        ceil["latency_ms"],
        ceil["containers_per_s"],
    )
    box = results.get("sandbox_ceiling")
    if box:
        row(
            f"(c2) sandbox ceiling: its settings, API, x{box['parallel']}",
            box["n"],
            box["latency_ms"],
            box["containers_per_s"],
        )
    lines += ["", "saturation sweep (worker concurrency C):"]
    for level in results["sweep"]:
        lines.append(
            f"  C={level['concurrency']:<3} {level['in_flight']:>3} in flight: "
            f"{level['throughput_per_s']:.2f}/s (steady "
            f"{fmt(level.get('steady_throughput_per_s'))}/s), p50 "
            f"{fmt(level['latency_ms'].get('p50'))} ms | ceiling x{level['ceiling']['parallel']}"
            f": {level['ceiling']['containers_per_s']:.2f}/s -> "
            f"{level['throughput_over_ceiling']:.2f}x"
            + (
                f"; sandbox ceiling {level['sandbox_ceiling']['containers_per_s']:.2f}/s -> "
                f"{level['throughput_over_sandbox_ceiling']:.2f}x"
                if "sandbox_ceiling" in level
                else ""
            )
        )
    lines += ["", "targets (ratios from this run):"]
    back_to_back = back_to_back_note(results)
    for t in results["targets"]:
        value = t["value"]
        shown = (
            "-" if value is None else (f"{value:.2f}x" if "x" in t["target"] else f"{value:.0f} ms")
        )
        lines.append(
            f"  {t['name']:40}{shown:>10}   target {t['target']:<10} "
            f"{'met' if t['met'] else 'NOT MET'}"
        )
        if back_to_back and t["name"].startswith("p50 latency, 1 in flight, back"):
            lines.append(f"    {back_to_back}")
        over_box = results["ratios"].get("throughput_real_over_sandbox_ceiling")
        if over_box is not None and t["name"] == "saturated throughput / raw ceiling":
            lines.append(
                f"    against the sandbox ceiling (c2), the same container settings: "
                f"{over_box:.2f}x (reported; no target)"
            )
    for title, run in (("1 in flight", seq), ("1 in flight, paced", paced)):
        if not run:
            continue
        lines += ["", f"where the time goes, {title} (median ms per submission):"]
        if run.get("stages_median_ms"):
            lines.append(
                "  stages: "
                + " | ".join(f"{k} {v:.1f}" for k, v in run["stages_median_ms"].items())
            )
        steps, cover = run.get("steps_median_ms", {}), run.get("steps_coverage", {})
        names = [s for s in STEP_ORDER if s in steps] + [s for s in steps if s not in STEP_ORDER]
        cells = [
            f"{n} {steps[n]:.1f}"
            + (f" ({cover[n]}/{run['n']})" if cover.get(n, run["n"]) < run["n"] else "")
            for n in names
        ]
        for i in range(0, len(cells), 4):
            lines.append("  " + "  ".join(cells[i : i + 4]))
    lines.append(
        "  (steps nest: acquire > start/set_memory; runner = spawn_import_io + "
        "in_process; (k/n) = step seen in k of n submissions, median over those)"
    )
    lines.append(
        "  (stages: auth = the token check, the hub's answer faked as if cached; queue = "
        "insert + enqueue + wait + mark_running; store = verdict + progress; notify = "
        "publish, wake the waiting GET, read, answer)"
    )
    srv = seq.get("server_latency_ms", {})
    lines.append(
        f"  server-side created_at->finished_at p50 {fmt(srv.get('p50'))} ms; "
        f"client POST->seen p50 {fmt(seq['latency_ms'].get('p50'))} ms "
        f"(poll every {seq['poll_ms']:g} ms)"
    )
    probes = results.get("probes", {})
    if probes:
        lines.append(
            f"  probe: host python start {fmt(probes['python_start_ms'])} ms, "
            f"start + import grading_service.grading.runner "
            f"{fmt(probes['python_start_import_runner_ms'])} ms; baseline's first "
            f"docker run p50 {fmt(base['first_docker_run_ms'].get('p50'))} ms"
        )
    lines += [
        "",
        "CPU ms per item (machine-wide; 'other' = shims, runc, sandboxed processes, "
        "kernel, other users of this machine):",
    ]
    for label, cpu in (
        ("(a) 1 in flight, per submission", seq.get("cpu_ms_per_submission")),
        *(
            (f"(a) one every {r['pace_s']:g} s, per submission", r.get("cpu_ms_per_submission"))
            for r in results.get("real_paced_rates") or []
        ),
        ("(a) saturated, per submission", sat.get("cpu_ms_per_submission")),
        ("(c) ceiling, per container", ceil.get("cpu_ms_per_container")),
        ("(c2) sandbox ceiling, per container", (box or {}).get("cpu_ms_per_container")),
        ("(b) baseline, per submission", base.get("cpu_ms_per_submission")),
    ):
        if cpu:
            parts = "  ".join(
                f"{k} {v:.0f}" for k, v in cpu.items() if k not in ("total", "machine_busy_share")
            )
            lines.append(
                f"  {label:38} total {cpu['total']:.0f} = {parts}; "
                f"busy {cpu['machine_busy_share'] * 100:.0f}%"
            )
    batch = results.get("batch")
    if batch:
        lines.append(
            f"(e) coderunner grade --local, {batch['files']} notebooks, {batch['jobs']} at "
            f"once: {batch['seconds']} s = {batch['files_per_s']} files/s, "
            f"{batch['over_ceiling']}x the raw ceiling; verdicts {batch['verdicts']}"
        )
    board = results.get("dashboard")
    if board:
        lines.append(
            f"(d) dashboard refresh of a class of {board['learners']} learners x "
            f"{board['problems']} problems, {board['submissions']} submissions: p50 "
            f"{board['report_ms']['p50']} ms (max {board['report_ms']['max']}); the bare "
            f"fetch of the same documents p50 {board['bare_fetch_ms']['p50']} ms "
            f"({board['report_over_bare_fetch']}x)"
        )
    lines.append(
        f"  client polls per submission (p50): 1 in flight "
        f"{seq.get('polls_per_submission_p50')}, saturated "
        f"{sat.get('polls_per_submission_p50')}"
    )
    if sat.get("steps_median_ms"):
        s = sat["steps_median_ms"]
        keys = [
            k
            for k in (
                "queue_wait",
                "sandbox_acquire",
                "sandbox_start",
                "runner",
                "runner_spawn_import_io",
                "sandbox_remove",
                "worker_to_verdict",
            )
            if k in s
        ]
        lines.append("  saturated: " + "  ".join(f"{k} {s[k]:.1f}" for k in keys))
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


async def run(args: argparse.Namespace, run_id: str, instance: str, backing: Any) -> dict:
    cases = hidden_cases(BENCH_CONTENT / "bench" / "level-1" / PROBLEM_ID)
    bench = Bench(args, run_id, instance, backing)
    poll_s = args.poll_ms / 1000
    results: dict[str, Any] = {
        "meta": {
            "run_id": run_id,
            "instance": instance,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "image": args.image,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "problem": PROBLEM_ID,
            "hidden_tests": len(cases),
            "set": args.set,
            "args": {k: v for k, v in vars(args).items() if k not in ("set", "out")},
        },
    }
    try:
        before = bench.cpu.snapshot()
        await asyncio.sleep(1.0)
        idle = CpuMeter.per_item(before, bench.cpu.snapshot(), 1)
        results["meta"]["background_busy_share"] = idle["machine_busy_share"]
        results["probes"] = await probe_python(sys.executable)
        # (a) one in flight
        await bench.start_service(args.concurrency, "seq")
        results["meta"]["wrapped_for_breakdown"] = bench.tracer.wrapped if bench.tracer else []
        seq = await bench.run_real("seq", args.sequential, 1, poll_s)
        seq["concurrency"] = args.concurrency
        results["real_sequential"] = seq
        if args.paced:
            # The same, one submission every --pace seconds: the latency a learner sees
            # when the last submission's sandbox removal and replacement are not
            # competing with this one for the CPU (back-to-back above, they are). Each
            # further pace is one more row, to show where latency starts to climb.
            rates = []
            for index, pace in enumerate(args.pace):
                paced = await bench.run_real(f"paced{index}", args.paced, 1, poll_s, pace)
                paced["pace_s"] = pace
                rates.append(paced)
            results["real_paced"] = rates[0]  # the targets' paced row
            results["real_paced_rates"] = rates
        await bench.stop_service()
        # (a) saturation sweep, each level paired with (c) at the same parallelism
        sweep = []
        for level, concurrency in enumerate(args.sweep):
            in_flight = max(1, round(concurrency * args.in_flight_factor))
            await bench.start_service(concurrency, f"sat{level}")
            sat = await bench.run_real(f"sat{level}", args.saturation, in_flight, poll_s)
            await bench.stop_service()
            sat["concurrency"] = concurrency
            cpu_before = bench.cpu.snapshot()
            sat["ceiling"] = await run_ceiling(args.image, run_id, args.ceiling, in_flight)
            sat["ceiling"]["cpu_ms_per_container"] = CpuMeter.per_item(
                cpu_before, bench.cpu.snapshot(), args.ceiling
            )
            sat["throughput_over_ceiling"] = round(
                sat["throughput_per_s"] / sat["ceiling"]["containers_per_s"], 3
            )
            cpu_before = bench.cpu.snapshot()
            sat["sandbox_ceiling"] = await run_sandbox_ceiling(
                args.image, instance, args.ceiling, in_flight
            )
            sat["sandbox_ceiling"]["cpu_ms_per_container"] = CpuMeter.per_item(
                cpu_before, bench.cpu.snapshot(), args.ceiling
            )
            sat["throughput_over_sandbox_ceiling"] = round(
                sat["throughput_per_s"] / sat["sandbox_ceiling"]["containers_per_s"], 3
            )
            sweep.append(sat)
        results["sweep"] = sweep
        best = max(sweep, key=lambda s: s["throughput_per_s"])
        results["real_saturated"] = best
        results["ceiling"] = best["ceiling"]
        results["sandbox_ceiling"] = best["sandbox_ceiling"]
        # (b) baseline
        base_samples = []
        cpu_before = bench.cpu.snapshot()
        for i in range(args.baseline):
            base_samples.append(
                await baseline_submission(
                    args.image, run_id, learner_code(i, f"{run_id}-base"), cases
                )
            )
        results["baseline"] = {
            "n": len(base_samples),
            "docker_runs_per_submission": len(cases),
            "latency_ms": summary([ms for ms, _, _ in base_samples]),
            "first_docker_run_ms": summary([first for _, _, first in base_samples]),
            "not_passed": sum(1 for _, passed, _ in base_samples if passed != len(cases)),
            "cpu_ms_per_submission": CpuMeter.per_item(
                cpu_before, bench.cpu.snapshot(), len(base_samples)
            ),
        }
        # (e) batch grading of a class folder of notebooks, against the same ceiling
        from tests.bench import batch, dashboard

        results["batch"] = await batch.measure(
            image=args.image,
            content=BENCH_CONTENT,
            problem=PROBLEM_ID,
            count=args.batch_files,
            jobs=max(args.sweep),
            code_for=lambda i: learner_code(i, f"{run_id}-batch"),
        )
        results["batch"]["over_ceiling"] = round(
            results["batch"]["files_per_s"] / results["ceiling"]["containers_per_s"], 3
        )
        # (d) the teacher dashboard's report of one class
        results["dashboard"] = await dashboard.measure(
            backing.mongodb_uri,
            f"bench_{run_id}_dashboard",
            learners=args.dashboard_learners,
            submissions=args.dashboard_submissions,
        )
    finally:
        await bench.stop_service()
        bench.http.close()
    seq_p50 = results["real_sequential"]["latency_ms"]["p50"]
    results["ratios"] = {
        "latency_baseline_over_real_p50": round(
            results["baseline"]["latency_ms"]["p50"] / seq_p50, 2
        ),
        "latency_baseline_over_real_p95": round(
            results["baseline"]["latency_ms"]["p95"]
            / results["real_sequential"]["latency_ms"]["p95"],
            2,
        ),
        "throughput_real_over_ceiling": results["real_saturated"]["throughput_over_ceiling"],
        "throughput_real_over_sandbox_ceiling": results["real_saturated"][
            "throughput_over_sandbox_ceiling"
        ],
    }
    results["targets"] = targets(results)
    return results


def default_image() -> str:
    env = os.environ.get("CODERUNNER_SANDBOX_IMAGE")
    if env:
        return env
    marker = ROOT / ".state" / "sandbox-image"
    return marker.read_text().strip() if marker.exists() else "coderunner-sandbox:latest"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Latency and throughput of the grading path against a docker-run "
        "baseline and the raw container ceiling.",
    )
    p.add_argument(
        "--sequential", type=int, default=30, help="submissions with 1 in flight (default 30)"
    )
    p.add_argument(
        "--saturation", type=int, default=40, help="submissions per saturation level (default 40)"
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="WorkerPool.concurrency for the 1-in-flight run (default 4)",
    )
    p.add_argument(
        "--sweep",
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        default=None,
        help="worker concurrencies tried at saturation, comma "
        "separated (default: --concurrency and twice it)",
    )
    p.add_argument(
        "--in-flight-factor",
        type=float,
        default=2.0,
        help="submissions in flight per worker at saturation (default 2)",
    )
    p.add_argument(
        "--paced",
        type=int,
        default=40,
        help="submissions of the paced 1-in-flight run (default 40; 0 skips it)",
    )
    p.add_argument(
        "--pace",
        type=float,
        nargs="+",
        default=[0.25, 0.125],
        help="""seconds between the paced runs' submissions, one run each (default 0.25
        0.125: 4 and 8 a second; the first is the targets' paced row, 4 a second being
        about a quarter of what Docker starts here and more than a class sends)""",
    )
    p.add_argument(
        "--batch-files",
        type=int,
        default=200,
        help="notebooks graded by `coderunner grade --local` (default 200)",
    )
    p.add_argument(
        "--dashboard-learners",
        type=int,
        default=40,
        help="learners in the class of the dashboard measurement (default 40)",
    )
    p.add_argument(
        "--dashboard-submissions",
        type=int,
        default=2000,
        help="graded submissions of that class (default 2000)",
    )
    p.add_argument(
        "--baseline",
        type=int,
        default=6,
        help="submissions graded the docker-run-per-test way (default 6)",
    )
    p.add_argument(
        "--ceiling",
        type=int,
        default=None,
        help="containers per ceiling run (default: --saturation)",
    )
    p.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="unmeasured submissions before each real-path run (default 2)",
    )
    p.add_argument(
        "--poll-ms",
        type=float,
        default=0.0,
        help="client poll interval of GET /api/submissions/{id}; 0 (default) "
        "long-polls with ?wait=30 instead",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=1.0,
        help="seconds to wait after the service starts (default 1)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds one submission may take before the run fails",
    )
    p.add_argument(
        "--image", default=default_image(), help="sandbox image (default: .state/sandbox-image)"
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="Class.trait=value",
        help="extra service configuration, repeatable (e.g. SandboxPool.size=4)",
    )
    p.add_argument(
        "--log-level",
        default="warning",
        help="log level of the in-process service (default warning)",
    )
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = p.parse_args(argv)
    try:
        args.set = parse_set(args.set)
    except ValueError as exc:
        p.error(str(exc))
    args.sweep = args.sweep or [args.concurrency, 2 * args.concurrency]
    args.ceiling = args.ceiling or args.saturation
    if min(args.sequential, args.saturation, args.baseline, args.ceiling, *args.sweep) < 1:
        p.error("counts and concurrencies must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from hub_config.devstack import Stack

    run_id = secrets.token_hex(4)
    instance = f"bench{run_id}"
    state = Path(tempfile.mkdtemp(prefix="coderunner-bench-"))
    stack = Stack(state_dir=state, instance=instance)
    in_main_thread = threading.current_thread() is threading.main_thread()

    async def guarded() -> dict:
        # Ctrl-C cancels this task (asyncio.run does that); SIGTERM does the same here,
        # so the service shuts down and removes its sandboxes either way.
        if in_main_thread:
            task = asyncio.current_task()
            assert task is not None
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await run(args, run_id, instance, stack)

    keep_logs = True
    try:
        stack.start_redis()
        stack.start_mongodb()
        results = asyncio.run(guarded())
        keep_logs = False
    except (KeyboardInterrupt, asyncio.CancelledError):
        keep_logs = False
        print("benchmark interrupted: removing its containers and servers", file=sys.stderr)
        return 130
    finally:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
        try:
            try:
                remove_bench_containers(run_id, instance)
            except Exception as exc:  # noqa: BLE001 - best effort; stack.down tries too
                print(f"benchmark: container clean-up incomplete: {exc}", file=sys.stderr)
            stack.down()
            if not keep_logs:
                shutil.rmtree(state, ignore_errors=True)
            else:
                print(f"benchmark: Redis/MongoDB logs kept in {state}/logs", file=sys.stderr)
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)
    print(render(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
