"""`make bench` keeps working: the benchmark runs end to end with tiny counts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hub_config.settings import ROOT
from tests.bench.benchmark import (
    BENCH_CONTENT,
    BENCH_LABEL,
    INSTANCE_LABEL,
    PROBLEM_ID,
    SOLUTION,
    hidden_cases,
    parse_set,
    percentile,
)


def test_set_options_become_traitlets_config() -> None:
    assert parse_set(
        [
            "SandboxPool.size=4",
            "SandboxFactory.image=img:tag",
            "Admission.group_limits={'a': {'daily_quota': 0}}",
        ]
    ) == {
        "SandboxPool": {"size": 4},
        "SandboxFactory": {"image": "img:tag"},
        "Admission": {"group_limits": {"a": {"daily_quota": 0}}},
    }
    with pytest.raises(ValueError):
        parse_set(["size=4"])


def test_bench_problem_has_five_hidden_calls_the_solution_passes() -> None:
    cases = hidden_cases(BENCH_CONTENT / "bench" / "level-1" / PROBLEM_ID)
    assert len(cases) == 5
    scope: dict = {}
    exec(SOLUTION, scope)  # noqa: S102 - our own reference solution
    assert all(eval(call, scope) == expected for _, call, expected in cases)  # noqa: S307
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([], 50) is None


def test_benchmark_runs_end_to_end_with_tiny_counts(sandbox_image, docker_client, tmp_path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench",
            "--sequential",
            "2",
            "--paced",
            "2",
            "--pace",
            "0.2",
            "--saturation",
            "2",
            "--sweep",
            "1",
            "--baseline",
            "1",
            "--ceiling",
            "2",
            "--warmup",
            "0",
            "--settle",
            "0.2",
            "--batch-files",
            "3",
            "--dashboard-learners",
            "5",
            "--dashboard-submissions",
            "60",
            "--image",
            sandbox_image,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "(a) real path, 1 in flight" in proc.stdout and "targets" in proc.stdout
    results = json.loads(out.read_text())
    for run in (results["real_sequential"], results["real_paced"], results["real_saturated"]):
        assert run["not_passed"] == 0 and run["verdicts"] == ["passed 5/5"]
        assert run["latency_ms"]["p50"] > 0 and run["throughput_per_s"] > 0
    assert results["baseline"]["not_passed"] == 0
    assert results["ceiling"]["containers_per_s"] > 0
    assert results["sandbox_ceiling"]["containers_per_s"] > 0
    assert results["ratios"]["throughput_real_over_sandbox_ceiling"] > 0
    assert "(c2) sandbox ceiling" in proc.stdout
    assert len(results["targets"]) == 7  # p50 and p95 twice, 2 ratios, the dashboard
    assert "(a) real path, 1 in flight, one every 0.2 s" in proc.stdout
    board = results["dashboard"]
    assert board["submissions"] == 60 and board["report_ms"]["p50"] > 0
    assert "(d) dashboard refresh" in proc.stdout
    assert results["batch"]["verdicts"] == {"passed": 3} and results["batch"]["over_ceiling"] > 0
    assert "(e) coderunner grade --local" in proc.stdout
    assert "runner" in results["real_sequential"]["steps_median_ms"]
    # The stages the issue names, each submission's adding up to its latency.
    stages = results["real_sequential"]["stages_median_ms"]
    assert list(stages) == [
        "auth",
        "admission",
        "queue",
        "sandbox take",
        "runner",
        "store",
        "notify",
        "http and the rest",
    ]
    sample = results["real_sequential"]["samples"][0]
    assert sample["steps_ms"]["notify"] > 0 and sample["steps_ms"]["auth"] >= 0
    assert "  stages: auth " in proc.stdout
    assert [r["pace_s"] for r in results["real_paced_rates"]] == [0.2]
    assert "back to back, each submission costs" in proc.stdout
    meta = results["meta"]
    for label in (f"{BENCH_LABEL}={meta['run_id']}", f"{INSTANCE_LABEL}={meta['instance']}"):
        assert docker_client.api.containers(all=True, filters={"label": label}) == []
