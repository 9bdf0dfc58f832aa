"""``python -m tests.load``: start a platform of its own, run the profiles, verify, report.

``run(stack, options)`` does the work against any running :class:`Stack` (the smoke test
hands it the test session's platform); ``main`` starts a stack on free loopback ports
for it and always stops it again (containers, hub, proxy, grading service, Redis, the
database server and the learners' home volumes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from hub_config.devstack import Stack, free_port
from hub_config.settings import ROOT

from .client import LOOPBACK, Http, require_loopback
from .profiles import ApiLearner, Learner, Pace, catalogue
from .report import Phase, Recorder, build_report, render
from .verify import check, fetch, stored_grading_seconds

PROFILES = ("class", "spike", "api", "overload")


@dataclass
class Options:
    learners: int = 60
    session_seconds: float = 120.0
    think_seconds: tuple[float, float] = (10.0, 20.0)
    wrong_first: float = 0.5
    arrival_jitter_seconds: float = 3.0
    spawn_timeout_seconds: float = 300.0
    spike_users: int = 150
    spike_ramp_seconds: float = 20.0
    spike_hold_seconds: float = 20.0
    spike_think_seconds: tuple[float, float] = (6.0, 12.0)
    api_users: int = 500
    api_arrival_seconds: float = 60.0
    api_submit_share: float = 0.5
    overload_factor: float = 3.0
    overload_seconds: float = 60.0
    drain_seconds: float = 180.0
    profiles: tuple[str, ...] = PROFILES
    seed: int = 1
    prefix: str = field(default_factory=lambda: "ld" + secrets.token_hex(2))
    stop_servers: bool = False
    verify_api_users: int = 100
    max_seconds: float = 1500.0
    content_dir: Path = ROOT / "content"


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------- the grader's counters
_METRIC = re.compile(r'^(coderunner_[a-z_]+?)(?:_total)?(?:\{(\w+)="([^"]*)"\})? ([0-9.e+-]+)$')
COUNTERS = {
    "coderunner_submissions": "accepted",
    "coderunner_rejections": "rejections",
    "coderunner_request_refusals": "request_refusals",
    "coderunner_verdicts": "verdicts",
    "coderunner_infra_retries": "infra_retries",
    "coderunner_grading_errors": "grading_errors",
    "coderunner_request_limits_skipped": "limits_skipped",
}


async def scrape(
    session: aiohttp.ClientSession, hub_url: str, token: str | None = None
) -> dict[str, float]:
    """The grading service's counters (``/services/grader/metrics``), by name.label.
    Through the proxy they need a hub token with ``read:metrics`` (the admin's)."""
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        async with session.get(f"{hub_url}/services/grader/metrics", headers=headers) as resp:
            text = await resp.text()
    except (TimeoutError, aiohttp.ClientError):
        return {}
    values: dict[str, float] = {}
    for line in text.splitlines():
        m = _METRIC.match(line)
        if not m or m.group(1) not in COUNTERS or line.split(" ")[0].endswith("_created"):
            continue
        name = COUNTERS[m.group(1)] + (f".{m.group(3)}" if m.group(3) else "")
        values[name] = values.get(name, 0.0) + float(m.group(4))
    return values


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {
        k: after[k] - before.get(k, 0.0) for k in sorted(after) if after[k] - before.get(k, 0.0)
    }


# ---------------------------------------------------------------------- the hub's admin API
class Admin:
    """Users, tokens and servers through the hub's REST API with the admin token."""

    def __init__(self, rec: Recorder, stack: Stack, session: aiohttp.ClientSession) -> None:
        self.http = Http(rec, stack.hub_url, token=stack.admin_token, session=session)

    async def create_users(self, names: list[str]) -> None:
        for start in range(0, len(names), 100):
            chunk = names[start : start + 100]
            reply = await self.http.call(
                "setup", "hub POST /hub/api/users", "POST", "/hub/api/users",
                json_body={"usernames": chunk},
            )  # fmt: skip
            if reply.status not in (201, 409):
                raise RuntimeError(f"creating users: {reply.status} {reply.body}")

    async def tokens(self, names: list[str]) -> dict[str, str]:
        """A grader token for each user, as a learner's browser or script would hold."""
        out: dict[str, str] = {}
        gate = asyncio.Semaphore(8)

        async def mint(name: str) -> None:
            async with gate:
                reply = await self.http.call(
                    "setup",
                    "hub POST /hub/api/users/<name>/tokens",
                    "POST",
                    f"/hub/api/users/{name}/tokens",
                    json_body={
                        "scopes": ["access:services!service=grader"],
                        "note": "load test",
                        "expires_in": 7200,
                    },
                )
            if reply.status != 201:
                raise RuntimeError(f"token for {name}: {reply.status} {reply.body}")
            out[name] = reply.body["token"]

        await asyncio.gather(*(mint(n) for n in names))
        return out

    async def stop_servers(self, names: list[str]) -> None:
        gate = asyncio.Semaphore(8)

        async def stop(name: str) -> None:
            async with gate:
                await self.http.call(
                    "teardown", "hub DELETE server", "DELETE", f"/hub/api/users/{name}/server"
                )

        await asyncio.gather(*(stop(n) for n in names))


# ---------------------------------------------------------------------- phases
async def measured(
    rec: Recorder,
    name: str,
    users: int,
    session: aiohttp.ClientSession,
    hub_url: str,
    token: str | None,
    body: Callable[[Phase], Awaitable[None]],
) -> Phase:
    """Run one phase, with the grading service's counters before and after (read with
    ``token``, which needs ``read:metrics``)."""
    p = rec.phase(name)
    p.users = users
    before = await scrape(session, hub_url, token)
    log(f"{name}: {users} users")
    p.started = time.monotonic()
    await body(p)
    p.ended = time.monotonic()
    p.seconds = p.ended - p.started
    p.server_metrics = delta(before, await scrape(session, hub_url, token))
    accepted = sum(1 for s in rec.submissions.values() if s.phase == name)
    log(
        f"{name}: done in {p.seconds:.0f} s, {accepted} accepted, refusals "
        f"{dict(p.refusals) or 'none'}"
    )
    return p


async def run(stack: Stack, options: Options) -> dict[str, Any]:
    """All profiles against a running platform; the report (with its verification)."""
    require_loopback(stack.hub_url)
    require_loopback(stack.mongodb_uri)
    o = options
    rec = Recorder()
    problems = catalogue(o.content_dir)
    rng = random.Random(o.seed)
    learner_names = [f"{o.prefix}l{i:03d}" for i in range(o.learners)]
    api_crowd = "spike" in o.profiles or "overload" in o.profiles
    spike_names = [f"{o.prefix}s{i:03d}" for i in range(o.spike_users if api_crowd else 0)]
    api_names = [f"{o.prefix}a{i:04d}" for i in range(o.api_users if "api" in o.profiles else 0)]
    users = learner_names + spike_names + api_names
    tokens_for = spike_names + api_names
    connector = aiohttp.TCPConnector(limit=0)
    session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))
    learners: list[Learner] = []
    verification: dict[str, Any] = {"checks": {}}
    extra: dict[str, Any] = {}
    admin = Admin(rec, stack, session)
    try:
        log(f"creating {len(users)} users ({o.prefix}…), tokens for {len(tokens_for)}")
        setup_started = time.monotonic()
        await admin.create_users(users)
        tokens = await admin.tokens(tokens_for)
        rec.phase("setup").seconds = time.monotonic() - setup_started
        learners = [
            Learner(
                rec, stack.hub_url, name, stack.demo_password, problems=problems, seed=rng.random()
            )
            for name in learner_names
        ]

        def api_learner(name: str) -> ApiLearner:
            http = Http(rec, stack.hub_url, session=session)
            return ApiLearner(rec, http, name, problems=problems, seed=rng.random()).with_token(
                tokens[name]
            )

        if "class" in o.profiles:
            await measured(rec, "class", len(learners), session, stack.hub_url, stack.admin_token,
                           lambda p: class_phase(p, learners, o))  # fmt: skip
        if "spike" in o.profiles and spike_names:
            visitors = [api_learner(n) for n in spike_names]
            await measured(rec, "spike", len(visitors), session, stack.hub_url, stack.admin_token,
                           lambda p: spike_phase(p, visitors, o))  # fmt: skip
        if "api" in o.profiles and api_names:
            visitors = [api_learner(n) for n in api_names]
            await measured(rec, "api", len(visitors), session, stack.hub_url, stack.admin_token,
                           lambda p: api_phase(p, visitors, o))  # fmt: skip
        if "overload" in o.profiles:
            log("verifying before the overload")
            before = await fetch(stack.mongodb_uri, users)
            verification["before_overload"] = check(
                dict(rec.submissions), before["submissions"], before["progress"]
            )
            ready = [learner for learner in learners if learner.ready]
            crowd = [api_learner(n) for n in spike_names]
            await measured(rec, "overload", len(ready) + len(crowd), session, stack.hub_url,
                           stack.admin_token,
                           lambda p: overload_phase(p, ready, crowd, o))  # fmt: skip

        log("verifying")
        asked = await progress_of(
            [learner for learner in learners if learner.ready],
            [api_learner(n) for n in sorted({s.user for s in rec.submissions.values()})
             if n in tokens][: o.verify_api_users],
        )  # fmt: skip
        stored = await fetch(stack.mongodb_uri, users)
        final = check(dict(rec.submissions), stored["submissions"], stored["progress"], asked)
        verification.update(final)
        if "before_overload" in verification:
            verification["checks"]["before_overload"] = {
                "ok": verification["before_overload"]["ok"],
                "summary": "the same checks after class, spike and api, before the overload",
                "problems": [
                    f"{name}: {p}"
                    for name, c in verification["before_overload"]["checks"].items()
                    for p in c["problems"]
                ],
            }
            verification["ok"] = verification["ok"] and verification["before_overload"]["ok"]
        missing = {
            name: dict(p.refusals_without_retry_after)
            for name, p in rec.phases.items()
            if p.refusals_without_retry_after
        }
        verification["checks"]["retry_after_on_every_refusal"] = {
            "ok": not missing,
            "summary": "every 429 and 503 carried Retry-After"
            if not missing
            else f"refusals without Retry-After: {missing}",
            "problems": [],
        }
        verification["ok"] = verification["ok"] and not missing
        spawns = [s for p in rec.phases.values() for s in p.spawns]
        failed = [f"{s['user']}: {s.get('error')}" for s in spawns if not s.get("ok")]
        verification["checks"]["servers_ready"] = {
            "ok": not failed,
            "summary": f"{len(spawns) - len(failed)} of {len(spawns)} learners' servers ready",
            "problems": failed,
        }
        verification["ok"] = verification["ok"] and not failed
        odd = rec.unmatched_duplicates
        verification["checks"]["duplicates_name_earlier_submissions"] = {
            "ok": not odd,
            "summary": "every 202 marked duplicate named an earlier submission of this run, and "
            "no fresh 202 reused an id",
            "problems": [f"DUPLICATE OF AN UNKNOWN OR REUSED ID: {d}" for d in odd],
        }
        verification["ok"] = verification["ok"] and not odd
        extra["stored_grading_seconds"] = stored_grading_seconds(
            rec.submissions, stored["submissions"]
        )
        extra["unmatched_duplicates"] = rec.unmatched_duplicates
        extra["submissions"] = [asdict(s) for s in rec.submissions.values()]
    finally:
        await asyncio.gather(*(learner.close() for learner in learners))
        if o.stop_servers and learners:
            await admin.stop_servers([learner.name for learner in learners])
        await session.close()
    options_json = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(o).items()}
    report = build_report(rec, options_json, verification, extra)
    for name, stats in extra["stored_grading_seconds"].items():
        report["phases"][name]["stored_grading_seconds"] = stats
    return report


async def class_phase(p: Phase, learners: list[Learner], o: Options) -> None:
    """Everybody signs in at once (within a few seconds), waits for their server, opens
    the Problems panel and works for ``session_seconds``."""
    pace = Pace(think=o.think_seconds, wrong_first=o.wrong_first)

    async def day(learner: Learner) -> None:
        await asyncio.sleep(learner.rng.uniform(0, o.arrival_jitter_seconds))
        await learner.arrive(p.name, o.spawn_timeout_seconds)
        if not learner.ready:
            return
        await learner.panel(p.name)
        until = time.monotonic() + o.session_seconds
        await learner.work(p.name, pace, until, until + o.drain_seconds, p.started)

    await asyncio.gather(*(day(learner) for learner in learners))
    p.notes["offered"] = offered(p, o.think_seconds, 1.0, len(learners))


async def overload_phase(
    p: Phase, learners: list[Learner], crowd: list[ApiLearner], o: Options
) -> None:
    """Everybody at ``overload_factor`` × their pace for ``overload_seconds``: the class
    through their servers, and the spike's API-only learners, who now press Submit more
    often than the per-user limit allows."""
    pace = Pace(think=o.think_seconds, intensity=o.overload_factor, wrong_first=o.wrong_first)
    crowd_pace = Pace(
        think=o.spike_think_seconds, intensity=o.overload_factor, wrong_first=o.wrong_first
    )
    until = time.monotonic() + o.overload_seconds
    drain = until + o.drain_seconds

    async def api_loop(v: ApiLearner) -> None:
        await asyncio.sleep(v.rng.uniform(0, crowd_pace.pause(v.rng)))
        while time.monotonic() < until:
            await v.one(p.name, crowd_pace, until, drain, p.started)
            await asyncio.sleep(crowd_pace.pause(v.rng))

    await asyncio.gather(
        *(learner.work(p.name, pace, until, drain, p.started) for learner in learners),
        *(api_loop(v) for v in crowd),
    )
    low, high = (x / o.overload_factor for x in o.spike_think_seconds)
    p.notes["offered"] = (
        offered(p, o.think_seconds, o.overload_factor, len(learners))
        + f"; and {len(crowd)} API-only learners pausing {low:.1f}–{high:.1f} s between tries"
    )


def offered(p: Phase, think: tuple[float, float], intensity: float, users: int) -> str:
    """The pace asked of the learners, for the table."""
    mean = (think[0] + think[1]) / 2 / intensity
    return (
        f"pace: {intensity:g}× (two pauses of {think[0] / intensity:.1f}–"
        f"{think[1] / intensity:.1f} s per try, about {60 / (2 * mean + 2):.1f} tries a minute "
        f"each, {users * 1 / (2 * mean + 2):.1f}/s for {users} learners)"
    )


async def spike_phase(p: Phase, visitors: list[ApiLearner], o: Options) -> None:
    """0 → all → 0: visitor i starts at i/n of the ramp up and leaves in reverse order
    over the ramp down; while there, submits and follows in a loop."""
    n = len(visitors)
    ramp, hold = o.spike_ramp_seconds, o.spike_hold_seconds
    pace = Pace(think=o.spike_think_seconds, wrong_first=o.wrong_first)
    t0 = time.monotonic()

    async def visit(i: int, v: ApiLearner) -> None:
        await asyncio.sleep(ramp * i / n)
        leave = t0 + ramp + hold + ramp * (n - 1 - i) / n
        await v.panel(p.name)
        while time.monotonic() < leave:
            await v.one(p.name, pace, leave, leave + o.drain_seconds, p.started)
            await asyncio.sleep(pace.pause(v.rng))

    await asyncio.gather(*(visit(i, v) for i, v in enumerate(visitors)))
    p.notes["offered"] = (
        f"ramp 0 → {n} in {ramp:g} s, hold {hold:g} s, {n} → 0 in {ramp:g} s; "
        f"each submits, follows, reloads progress, pauses {pace.think[0]:g}–{pace.think[1]:g} s"
    )


async def api_phase(p: Phase, visitors: list[ApiLearner], o: Options) -> None:
    """Visitors arrive evenly over ``api_arrival_seconds``; each loads the panel, and
    ``api_submit_share`` of them submit once and follow the result."""
    n = len(visitors)
    pace = Pace(think=o.spike_think_seconds, wrong_first=o.wrong_first)
    end = time.monotonic() + o.api_arrival_seconds

    async def visit(i: int, v: ApiLearner) -> None:
        await asyncio.sleep(o.api_arrival_seconds * i / n)
        await v.panel(p.name)
        if v.rng.random() < o.api_submit_share:
            await asyncio.sleep(pace.pause(v.rng))
            until = max(end, time.monotonic() + 30)
            await v.one(p.name, pace, until, until + o.drain_seconds, p.started)

    await asyncio.gather(*(visit(i, v) for i, v in enumerate(visitors)))
    p.notes["offered"] = (
        f"{n} visitors over {o.api_arrival_seconds:g} s; {o.api_submit_share:.0%} submit once"
    )


async def progress_of(learners: list[Learner], api_users: list[ApiLearner]) -> dict[str, Any]:
    """Each learner's progress as the API shows it to them (honouring Retry-After)."""
    gate = asyncio.Semaphore(16)
    out: dict[str, Any] = {}

    async def ask(who: Learner | ApiLearner) -> None:
        async with gate:
            reply = await who.progress("verify")
            if reply.busy:  # the per-user bucket may be empty right after the overload
                await asyncio.sleep(reply.retry_after())
                reply = await who.progress("verify")
        out[who.name] = reply.body if reply.status == 200 else f"{reply.status} {reply.body}"

    await asyncio.gather(*(ask(w) for w in [*learners, *api_users]))
    return out


# ---------------------------------------------------------------------- the command
def parse(argv: list[str] | None) -> tuple[argparse.Namespace, Options]:
    d = Options()
    ap = argparse.ArgumentParser(
        prog="python -m tests.load",
        description="Load test of the whole platform on loopback ports (tests/load/__init__.py).",
    )
    ap.add_argument("--state", type=Path, default=ROOT / ".state", help="state folder (.state)")
    ap.add_argument("--out", type=Path, help="JSON report (default: STATE/loadtest.json)")
    ap.add_argument("--image", default=os.environ.get("CODERUNNER_SANDBOX_IMAGE", ""))
    ap.add_argument("--learners", type=int, default=d.learners, help="N real learners (60)")
    ap.add_argument("--session-seconds", type=float, default=d.session_seconds)
    ap.add_argument("--think-seconds", type=float, nargs=2, default=d.think_seconds)
    ap.add_argument("--spike-users", type=int, default=d.spike_users)
    ap.add_argument("--spike-ramp-seconds", type=float, default=d.spike_ramp_seconds)
    ap.add_argument("--spike-hold-seconds", type=float, default=d.spike_hold_seconds)
    ap.add_argument("--api-users", type=int, default=d.api_users)
    ap.add_argument("--api-arrival-seconds", type=float, default=d.api_arrival_seconds)
    ap.add_argument("--api-submit-share", type=float, default=d.api_submit_share)
    ap.add_argument("--overload-factor", type=float, default=d.overload_factor)
    ap.add_argument("--overload-seconds", type=float, default=d.overload_seconds)
    ap.add_argument("--drain-seconds", type=float, default=d.drain_seconds)
    ap.add_argument("--spawn-timeout-seconds", type=float, default=d.spawn_timeout_seconds)
    ap.add_argument(
        "--profiles", default=",".join(PROFILES), help=f"comma separated, of {','.join(PROFILES)}"
    )
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--max-seconds", type=float, default=d.max_seconds, help="hard bound")
    args = ap.parse_args(argv)
    profiles = tuple(x for x in args.profiles.split(",") if x)
    unknown = set(profiles) - set(PROFILES)
    if unknown:
        ap.error(f"unknown profiles: {sorted(unknown)}")
    options = Options(
        learners=args.learners,
        session_seconds=args.session_seconds,
        think_seconds=tuple(args.think_seconds),
        spike_users=args.spike_users,
        spike_ramp_seconds=args.spike_ramp_seconds,
        spike_hold_seconds=args.spike_hold_seconds,
        api_users=args.api_users,
        api_arrival_seconds=args.api_arrival_seconds,
        api_submit_share=args.api_submit_share,
        overload_factor=args.overload_factor,
        overload_seconds=args.overload_seconds,
        drain_seconds=args.drain_seconds,
        spawn_timeout_seconds=args.spawn_timeout_seconds,
        profiles=profiles,
        seed=args.seed,
        max_seconds=args.max_seconds,
    )
    return args, options


def own_stack(state: Path, image: str) -> Stack:
    """A platform of the load test's own: free loopback ports, its own network, labels
    and demo password; its learners' homes are removed when it stops."""
    for var in ("REDIS_URL", "MONGODB_URI"):
        host = urlsplit(os.environ.get(var, "")).hostname
        if host and host not in LOOPBACK:
            raise SystemExit(
                f"{var} points away from this machine ({host}): the load test is loopback only"
            )
    folder = state / "loadtest"
    old = Stack.load(folder)
    if old and old.pids:
        old.down()
    # Each run starts from empty stores: the last run's queue, counters and submissions
    # would otherwise be counted (and graded) again.
    for data in ("redis", "mongodb", "hub"):
        shutil.rmtree(folder / data, ignore_errors=True)
    instance = f"load{secrets.token_hex(2)}"
    return Stack(
        state_dir=folder,
        instance=instance,
        network=f"coderunner-{instance}",
        public_port=free_port(),
        proxy_api_port=free_port(),
        hub_port=free_port(),
        grader_port=free_port(),
        image=image,
        demo_password=secrets.token_hex(8),
        remove_homes=True,
        cull_timeout_seconds=0,
    )


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args, options = parse(argv)
    state = args.state.resolve()
    out = args.out or state / "loadtest.json"
    image = args.image or (state / "sandbox-image").read_text().strip()
    stack = own_stack(state, image)
    signal.signal(signal.SIGTERM, _interrupted)  # `timeout` and CI stop it cleanly too
    report: dict[str, Any] | None = None
    try:
        log(f"starting the platform ({stack.instance}) in {stack.state_dir}")
        started = time.monotonic()
        stack.up()
        log(f"platform up in {time.monotonic() - started:.0f} s at {stack.hub_url}")
        report = asyncio.run(asyncio.wait_for(run(stack, options), options.max_seconds))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, default=str))
        print(render(report), flush=True)
        log(f"report written to {out}")
    finally:
        log("stopping the platform")
        stack.down()
        log("stopped")
    return 0 if report and report["verification"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
