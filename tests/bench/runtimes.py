"""What gVisor costs beside runc: ``python -m tests.bench runtimes`` (``make bench`` runs it).

For each runtime (``runc``, and ``runsc`` when it is registered with the Docker daemon),
in one run, each measure taken for both runtimes before the next, on the benchmark
problem with five hidden tests (``tests/bench/content/bench/level-1/bench-five``):

(1) a sandbox's life alone: create → start → ``python -c pass`` → exit → remove, through
    the Docker API with the sandbox's own settings (``SandboxFactory.container_settings``);
(2) a cold grading: the service's ``Grader`` with no pool, so each grading starts its
    own sandbox, runs the five tests and returns the verdict (the sandbox is removed
    off the verdict's path, as in the service);
(3) a warm grading: the same with the sandbox started beforehand, as a warm pool hands
    it out: what a learner waits for while the pool keeps up;
(4) throughput: cold gradings with ``--parallel`` at once, until every sandbox is gone;
(5) CPU per cold grading (machine-wide) and the memory an idle sandbox holds.

It prints p50/p95 and the runsc/runc ratios and writes them as JSON to ``--out``. Without
runsc it measures runc alone and says how to install gVisor. Every container carries this
run's label and is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.benchmark import (
    BENCH_CONTENT,
    PROBLEM_ID,
    CpuMeter,
    default_image,
    fmt,
    learner_code,
    remove_bench_containers,
    run_pool,
    summary,
)

RUNTIMES = ("runc", "runsc")
MEMORY_LIMIT_MB = 128  # what the pool starts sandboxes with by default


def registered_runtimes() -> set[str]:
    import docker

    client = docker.from_env()
    try:
        return set(client.info().get("Runtimes") or {})
    finally:
        client.close()


class Prestarted:
    """Stands in for a warm pool: hands out the one sandbox started beforehand."""

    def __init__(self, container_id: str) -> None:
        self.container_id = container_id

    async def acquire(self, memory_limit_mb: int | None = None) -> str:
        return self.container_id


class Runtime:
    """One runtime's sandboxes and grader, labelled with this run's instance."""

    def __init__(self, name: str, image: str, instance: str) -> None:
        from grading_service.content.store import load_problem
        from grading_service.grading.grader import Grader
        from grading_service.grading.sandbox import SandboxFactory

        self.name = name
        self.sandboxes = SandboxFactory(image=image, runtime=name, instance_name=instance)
        self.grader = Grader(self.sandboxes)
        self.problem = load_problem(BENCH_CONTENT / "bench" / "level-1" / PROBLEM_ID)
        self.cases = 0

    def _life(self) -> float:
        """create → start → run ``python -c pass`` → exit → remove; milliseconds."""
        settings = self.sandboxes.container_settings(MEMORY_LIMIT_MB)
        settings.update(command=[self.sandboxes.python, "-I", "-c", "pass"], stdin_open=False)
        client = self.sandboxes.client
        started = time.monotonic()
        container = client.containers.create(**settings)
        try:
            container.start()
            status = container.wait(timeout=60)["StatusCode"]
        finally:
            container.remove(force=True)
        if status != 0:
            raise RuntimeError(f"{self.name}: python -c pass exited {status}")
        return (time.monotonic() - started) * 1000

    async def life(self, _: int) -> float:
        return await asyncio.to_thread(self._life)

    async def cold(self, i: int) -> float:
        started = time.monotonic()
        result = await self.grader.grade(self.problem, learner_code(i, f"{self.name}-cold"))
        ms = (time.monotonic() - started) * 1000
        self._check(result)
        return ms

    async def warm(self, i: int) -> float:
        from grading_service.grading.grader import Grader

        container_id = await self.sandboxes.start(MEMORY_LIMIT_MB)
        await asyncio.sleep(0.2)  # as in a pool: started a while before it is needed
        grader = Grader(self.sandboxes, pool=Prestarted(container_id))
        started = time.monotonic()
        result = await grader.grade(self.problem, learner_code(i, f"{self.name}-warm"))
        ms = (time.monotonic() - started) * 1000
        await grader.drain_removals()
        self._check(result)
        return ms

    async def idle_memory_mib(self) -> float:
        container_id = await self.sandboxes.start(MEMORY_LIMIT_MB)
        try:
            await asyncio.sleep(1.0)
            stats = await asyncio.to_thread(
                self.sandboxes.client.api.stats, container_id, stream=False
            )
            return round(stats["memory_stats"]["usage"] / 2**20, 1)
        finally:
            await self.sandboxes.remove(container_id)

    def _check(self, result: dict) -> None:
        if result["verdict"] != "passed":
            raise RuntimeError(f"{self.name}: the solution was not passed: {result}")


async def measure(args: argparse.Namespace, instance: str) -> dict[str, Any]:
    known = registered_runtimes()
    names = [name for name in args.runtimes if name in known]
    results: dict[str, Any] = {
        "meta": {
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "image": args.image,
            "cpus": os.cpu_count(),
            "problem": PROBLEM_ID,
            "n": args.n,
            "parallel": args.parallel,
            "memory_limit_mb": MEMORY_LIMIT_MB,
            "skipped": {
                name: "not registered with the Docker daemon (for runsc: "
                "hub_config/host-setup.sh --gvisor, as root)"
                for name in args.runtimes
                if name not in known
            },
        },
        "runtimes": {name: {} for name in names},
    }
    runtimes = [Runtime(name, args.image, instance) for name in names]
    meter = CpuMeter({})
    try:
        for rt in runtimes:  # unmeasured: image layers cached, fork server started
            await rt.cold(-1)
            await rt.grader.drain_removals()
        for rt in runtimes:
            lives, _ = await run_pool(args.n, 1, rt.life)
            results["runtimes"][rt.name]["life_ms"] = summary(lives)
        for rt in runtimes:
            before = meter.snapshot()
            colds = []
            for i in range(args.n):
                colds.append(await rt.cold(i))
                await rt.grader.drain_removals()  # removal counted in CPU, not latency
            cpu = CpuMeter.per_item(before, meter.snapshot(), args.n)
            results["runtimes"][rt.name]["cold_grading_ms"] = summary(colds)
            results["runtimes"][rt.name]["cpu_ms_per_cold_grading"] = cpu["total"]
        for rt in runtimes:
            warms, _ = await run_pool(args.n, 1, rt.warm)
            results["runtimes"][rt.name]["warm_grading_ms"] = summary(warms)
        for rt in runtimes:
            started = time.monotonic()
            await run_pool(args.n, args.parallel, rt.cold)
            await rt.grader.drain_removals()
            seconds = time.monotonic() - started
            results["runtimes"][rt.name]["gradings_per_s"] = round(args.n / seconds, 2)
        for rt in runtimes:
            results["runtimes"][rt.name]["idle_sandbox_mib"] = await rt.idle_memory_mib()
    finally:
        for rt in runtimes:
            await rt.grader.drain_removals()
    if {"runc", "runsc"} <= set(names):
        results["ratios"] = ratios(results["runtimes"]["runc"], results["runtimes"]["runsc"])
    return results


def ratios(runc: dict[str, Any], runsc: dict[str, Any]) -> dict[str, float]:
    """runsc over runc for each measure (throughput: runsc's share of runc's)."""
    out = {}
    for key in ("life_ms", "cold_grading_ms", "warm_grading_ms"):
        for q in ("p50", "p95"):
            out[f"{key}_{q}"] = round(runsc[key][q] / runc[key][q], 2)
    out["gradings_per_s"] = round(runsc["gradings_per_s"] / runc["gradings_per_s"], 2)
    out["cpu_ms_per_cold_grading"] = round(
        runsc["cpu_ms_per_cold_grading"] / runc["cpu_ms_per_cold_grading"], 2
    )
    return out


def render(results: dict[str, Any]) -> str:
    meta, runs = results["meta"], results["runtimes"]
    names = list(runs)
    lines = [
        f"container runtimes: {', '.join(names) or 'none'}; n={meta['n']} each, "
        f"{meta['cpus']} cores, sandbox limit {meta['memory_limit_mb']} MiB, {meta['image']}"
    ]
    for name, why in meta["skipped"].items():
        lines.append(f"  {name} skipped: {why}")
    rows = [
        ("(1) sandbox create→run→remove", "life_ms"),
        ("(2) grading, cold sandbox", "cold_grading_ms"),
        ("(3) grading, warm sandbox", "warm_grading_ms"),
    ]
    header = f"  {'ms, p50 / p95':34}" + "".join(f"{n:>18}" for n in names)
    if "ratios" in results:
        header += f"{'runsc/runc':>16}"
    lines.append(header)
    r = results.get("ratios", {})
    for label, key in rows:
        line = f"  {label:34}" + "".join(
            f"{fmt(runs[n][key]['p50']) + ' / ' + fmt(runs[n][key]['p95']):>18}" for n in names
        )
        if r:
            line += f"{str(r[key + '_p50']) + 'x / ' + str(r[key + '_p95']) + 'x':>16}"
        lines.append(line)
    extra = [
        (f"(4) cold gradings/s, {meta['parallel']} at once", "gradings_per_s", "gradings_per_s"),
        ("(5) CPU ms per cold grading", "cpu_ms_per_cold_grading", "cpu_ms_per_cold_grading"),
        ("    idle sandbox memory, MiB", "idle_sandbox_mib", ""),
    ]
    for label, key, ratio_key in extra:
        line = f"  {label:34}" + "".join(f"{fmt(runs[n][key]):>18}" for n in names)
        if r and ratio_key:
            line += f"{str(r[ratio_key]) + 'x':>16}"
        lines.append(line)
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench runtimes",
        description="Latency and throughput of sandboxed grading under runc and gVisor.",
    )
    p.add_argument("--n", type=int, default=20, help="gradings per measure (default 20)")
    p.add_argument(
        "--parallel", type=int, default=2, help="gradings at once for throughput (default 2)"
    )
    p.add_argument(
        "--runtimes",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=list(RUNTIMES),
        help="Docker runtimes to compare, comma separated (default runc,runsc)",
    )
    p.add_argument(
        "--image", default=default_image(), help="sandbox image (default: .state/sandbox-image)"
    )
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = p.parse_args(argv)
    if args.n < 1 or args.parallel < 1:
        p.error("--n and --parallel must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_id = secrets.token_hex(4)
    instance = f"bench{run_id}"
    try:
        results = asyncio.run(measure(args, instance))
    except KeyboardInterrupt:
        print("interrupted: removing this run's containers", file=sys.stderr)
        return 130
    finally:
        remove_bench_containers(run_id, instance)
    results["meta"]["instance"] = instance
    print(render(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {args.out}")
    return 0
