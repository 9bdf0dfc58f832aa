"""What the load test measured: a recorder the clients write to, and the report (a
table on stdout and a JSON document)."""

from __future__ import annotations

import os
import platform
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tests.bench.benchmark import percentile

# Refusals the service is expected to make, by the reason it gives (429: per-user
# request limits and submission admission; 503: backpressure), and the rest.
REFUSAL_REASONS = ("requests", "long_polls", "rate_limit", "daily_quota", "backpressure")


def summary(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, Any]:
    """n, p50, p95 and max of ``values`` × ``scale`` (e.g. 1000 for milliseconds)."""
    if not values:
        return {"n": 0}

    def r(x: float | None) -> float | None:
        return None if x is None else round(x * scale, digits)

    return {
        "n": len(values),
        "p50": r(percentile(values, 50)),
        "p95": r(percentile(values, 95)),
        "max": r(max(values)),
    }


def refusal_reason(status: int, body: Any, route: str = "") -> str:
    """Why a 429 or 503 was given. The grading service's per-user request limits name
    their reason in the body; submission refusals and answers forwarded by a learner's
    server carry only the message, so the message decides. The hub's own 429 (its
    ``concurrent_spawn_limit``) is an HTML page."""
    if route.startswith("hub ") and status == 429:
        return "hub_spawn_limit"
    data = body if isinstance(body, dict) else {}
    reason = data.get("reason")
    if isinstance(reason, str) and reason in REFUSAL_REASONS:
        return reason
    message = str(data.get("message") or "")
    if status == 429:
        if "Slow down" in message:
            return "requests"
        if "already waiting for" in message:
            return "long_polls"
        if "Too many submissions" in message:
            return "rate_limit"
        if "Daily limit" in message:
            return "daily_quota"
        return "429_other"
    if "busy" in message:
        return "backpressure"
    if "unavailable" in message or "cannot reach" in message:
        return "503_unavailable"
    return "503_other"


@dataclass
class Submission:
    """One accepted submission as a client saw it."""

    id: str
    user: str
    problem_id: str
    expected: str  # right | wrong
    phase: str
    route: str  # extension | grader
    accepted_after_seconds: float  # from the phase's start
    duplicate: bool = False
    verdict: str | None = None  # as the client saw it
    score: float | None = None
    max_score: float | None = None
    grading_seconds: float | None = None  # submit request sent → verdict seen
    follow_error: str | None = None


@dataclass
class Phase:
    name: str
    users: int = 0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    seconds: float | None = None
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    refusals: Counter = field(default_factory=Counter)
    refusals_without_retry_after: Counter = field(default_factory=Counter)
    no_answer: Counter = field(default_factory=Counter)  # route: error, for status 0
    submit_attempts: int = 0
    submit_outcomes: Counter = field(default_factory=Counter)
    spawns: list[dict[str, Any]] = field(default_factory=list)
    server_metrics: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)


class Recorder:
    """Where every client call, submission and spawn is written down, by phase."""

    def __init__(self) -> None:
        self.phases: dict[str, Phase] = {}
        self.submissions: dict[str, Submission] = {}
        self.unmatched_duplicates: list[dict[str, str]] = []
        self.started = time.monotonic()

    def phase(self, name: str) -> Phase:
        if name not in self.phases:
            self.phases[name] = Phase(name)
        return self.phases[name]

    def call(
        self,
        phase: str,
        route: str,
        status: int,
        seconds: float,
        retry_after: str | None,
        body: Any,
    ) -> str | None:
        """Count one answer; returns the refusal reason for a 429 / 503."""
        p = self.phase(phase)
        p.latencies[route].append(seconds)
        p.statuses[route][status] += 1
        if status not in (429, 503):
            return None
        reason = refusal_reason(status, body, route)
        p.refusals[reason] += 1
        if not retry_after:
            p.refusals_without_retry_after[reason] += 1
        return reason

    def accepted(self, sub: Submission) -> Submission:
        """An accepted submission (202). A duplicate names an earlier submission of the
        same code, which must be one this run made."""
        known = self.submissions.get(sub.id)
        if sub.duplicate:
            if known is None:
                self.unmatched_duplicates.append({"id": sub.id, "user": sub.user})
                self.submissions[sub.id] = sub
                return sub
            return known
        if known is not None:  # a second 202 with a fresh id equal to an old one: a bug
            self.unmatched_duplicates.append({"id": sub.id, "user": sub.user, "reused": "yes"})
        self.submissions[sub.id] = sub
        return sub


def build_report(
    rec: Recorder, options: dict[str, Any], verification: dict[str, Any], extra: dict[str, Any]
) -> dict[str, Any]:
    phases: dict[str, Any] = {}
    for name, p in rec.phases.items():
        subs = [s for s in rec.submissions.values() if s.phase == name]
        graded = [s.grading_seconds for s in subs if s.grading_seconds is not None]
        span = p.seconds or 0.0
        phases[name] = {
            "users": p.users,
            "seconds": round(span, 1),
            "spawn": _spawns(p.spawns) if p.spawns else None,
            "routes": {
                route: {
                    **summary(values, 1000, 1),
                    "statuses": {str(k): v for k, v in sorted(p.statuses[route].items())},
                }
                for route, values in sorted(p.latencies.items())
            },
            "requests": sum(len(v) for v in p.latencies.values()),
            "submissions": {
                "attempts": p.submit_attempts,
                "accepted": len(subs),
                "accepted_per_second": round(len(subs) / span, 2) if span else None,
                "outcomes": dict(p.submit_outcomes),
                "right": sum(1 for s in subs if s.expected == "right"),
                "wrong": sum(1 for s in subs if s.expected == "wrong"),
            },
            "grading_seconds": summary(graded, 1, 2),
            "refusals": {k: p.refusals.get(k, 0) for k in REFUSAL_REASONS}
            | {k: v for k, v in p.refusals.items() if k not in REFUSAL_REASONS},
            "refusals_without_retry_after": dict(p.refusals_without_retry_after),
            "no_answer": dict(p.no_answer),
            "server_metrics": p.server_metrics,
            **p.notes,
        }
    return {
        "machine": machine(),
        "options": options,
        "seconds": round(time.monotonic() - rec.started, 1),
        "phases": phases,
        "verification": verification,
        **extra,
    }


def _spawns(spawns: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [s for s in spawns if s.get("ok")]
    return {
        "servers": len(spawns),
        "ready": len(ok),
        "failed": [{"user": s["user"], "error": s.get("error")} for s in spawns if not s.get("ok")],
        "spawn_seconds": summary([s["spawn_seconds"] for s in ok], 1, 1),
        "login_to_lab_seconds": summary([s["lab_seconds"] for s in ok], 1, 1),
    }


def machine() -> dict[str, Any]:
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            first = fh.readline().split()
            mem = round(int(first[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gb": mem,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


# ---------------------------------------------------------------------- the table
def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def render(report: dict[str, Any]) -> str:
    """The report as text: per phase, spawns, routes, grading, refusals; then the checks."""
    m = report["machine"]
    lines = [
        f"Load test: {m['cpus']} cores, {m['memory_gb']} GB, {report['seconds']:.0f} s in all; "
        f"N = {report['options'].get('learners')} learners",
    ]
    for name, p in report["phases"].items():
        subs = p["submissions"]
        lines.append("")
        if not subs["attempts"] and not p.get("spawn"):  # setup, verify: calls only
            lines.append(f"== {name}: {p['requests']} requests")
            lines.extend(_route_lines(p))
            continue
        lines.append(
            f"== {name}: {p['users']} users, {p['seconds']:.0f} s, {p['requests']} requests, "
            f"{subs['accepted']} submissions accepted ({subs['accepted_per_second']}/s; "
            f"{subs['right']} right, {subs['wrong']} wrong) of {subs['attempts']} tries"
        )
        if p.get("offered"):
            lines.append(f"   {p['offered']}")
        spawn = p.get("spawn")
        if spawn:
            s, lab = spawn["spawn_seconds"], spawn["login_to_lab_seconds"]
            lines.append(
                f"   spawn: {spawn['ready']}/{spawn['servers']} ready; login → server ready "
                f"p50 {_ms(s.get('p50'))} s, p95 {_ms(s.get('p95'))} s, max {_ms(s.get('max'))} s;"
                f" login → JupyterLab page p50 {_ms(lab.get('p50'))} s, p95 {_ms(lab.get('p95'))} s"
            )
            for failed in spawn["failed"][:5]:
                lines.append(f"   spawn failed: {failed['user']}: {failed['error']}")
        g = p["grading_seconds"]
        lines.append(
            f"   grading (submit → verdict seen): n {g['n']}, p50 {_ms(g.get('p50'))} s, "
            f"p95 {_ms(g.get('p95'))} s, max {_ms(g.get('max'))} s"
        )
        refusals = ", ".join(f"{k} {v}" for k, v in p["refusals"].items())
        lines.append(f"   refusals: {refusals}")
        if p["refusals_without_retry_after"]:
            lines.append(f"   refusals WITHOUT Retry-After: {p['refusals_without_retry_after']}")
        for what, n in p.get("no_answer", {}).items():
            lines.append(f"   no answer ({n}×): {what}")
        if subs["outcomes"]:
            lines.append(f"   submit outcomes: {dict(sorted(subs['outcomes'].items()))}")
        if p["server_metrics"]:
            shown = ", ".join(f"{k} {v:g}" for k, v in sorted(p["server_metrics"].items()))
            lines.append(f"   grading service counted: {shown}")
        lines.extend(_route_lines(p))
    v = report["verification"]
    lines.append("")
    for name, check in v.get("checks", {}).items():
        state = "ok" if check.get("ok") else "PROBLEM"
        lines.append(f"verification {name}: {state}: {check.get('summary', '')}")
        for problem in check.get("problems", [])[:10]:
            lines.append(f"   {problem}")
    return "\n".join(lines)


def _route_lines(p: dict[str, Any]) -> list[str]:
    lines = [f"   {'route':<44} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}  statuses"]
    for route, r in p["routes"].items():
        statuses = " ".join(f"{k}:{v}" for k, v in r["statuses"].items())
        lines.append(
            f"   {route:<44} {r['n']:>6} {_ms(r.get('p50')):>9} {_ms(r.get('p95')):>9} "
            f"{_ms(r.get('max')):>9}  {statuses}"
        )
    return lines
