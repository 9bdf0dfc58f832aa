"""The Prometheus alert rules (grading_service/monitoring/alerts.rules.yml): valid for
promtool, each one shown firing and clearing by alerts.test.yml, each one routable and
explained, and each built only from metrics that exist."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib

import pytest
import yaml

from grading_service.monitoring import DASHBOARD_FILE, RULES_FILE, RULES_TESTS_FILE
from hub_config.settings import ROOT

from .metric_names import MONITORING, hub_names, names_in, service_names, unknown_names

RULES = RULES_FILE
TESTS = RULES_TESTS_FILE

# The issue's alerts: critical and warning.
CRITICAL = {
    "GraderDown",
    "RedisDown",
    "MongoDBDown",
    "SandboxesUnavailable",
    "HighErrorRate",
    "QueueDepthCritical",
    "AllWorkersDown",
}
WARNING = {
    "GradingSlow",
    "QueueDepthHigh",
    "QueueStuck",
    "HighCPU",
    "WarmPoolEmpty",
    "RedisMemoryNearLimit",
    "DatabaseSlow",
}
RUNBOOK_ANCHORS = {
    "the-runner-crashes",
    "redis-is-down",
    "queue-is-stuck",
    "image-is-missing",
    "mongodb-is-down",
    "disk-is-full",
}


def alert_rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def promtool_run(promtool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [promtool, *args], cwd=MONITORING, capture_output=True, text=True, timeout=120
    )


def test_promtool_accepts_the_rules(promtool: str) -> None:
    done = promtool_run(promtool, "check", "rules", RULES.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in done.stdout


def test_promtool_unit_tests_pass(promtool: str) -> None:
    done = promtool_run(promtool, "test", "rules", TESTS.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_unit_tests_show_every_alert_firing_and_clearing() -> None:
    """Each alert is expected firing at some time and quiet at a later time of the same
    test group (promtool then checks that it is so)."""
    shown: dict[str, set[str]] = {}
    for group in yaml.safe_load(TESTS.read_text())["tests"]:
        fired_at: dict[str, list[int]] = {}
        for check in group["alert_rule_test"]:
            minutes = int(str(check["eval_time"]).removesuffix("m"))
            state = "firing" if check.get("exp_alerts") else "quiet"
            fired_at.setdefault(check["alertname"], []).append(minutes if state == "firing" else -1)
            if state == "quiet" and any(0 <= t < minutes for t in fired_at[check["alertname"]]):
                shown.setdefault(check["alertname"], set()).add("cleared")
            if state == "firing":
                shown.setdefault(check["alertname"], set()).add("fired")
    for rule in alert_rules():
        assert shown.get(rule["alert"]) == {"fired", "cleared"}, rule["alert"]


def test_the_issue_s_alerts_are_there_with_their_severity() -> None:
    severity = {rule["alert"]: rule["labels"]["severity"] for rule in alert_rules()}
    assert {name for name, level in severity.items() if level == "critical"} == CRITICAL
    assert {name for name, level in severity.items() if level == "warning"} == WARNING


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_is_routable_and_explained(rule: dict) -> None:
    assert rule["for"], "a `for:` keeps one bad scrape from paging"
    assert rule["labels"]["severity"] in ("critical", "warning")
    annotations = rule["annotations"]
    assert annotations["summary"].strip() and annotations["description"].strip()
    assert len(annotations["description"]) > len(annotations["summary"])
    page, _, anchor = annotations["runbook_url"].partition("#")
    assert page == "docs/runbook.md"
    assert anchor in RUNBOOK_ANCHORS


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_uses_only_metrics_that_exist(rule: dict) -> None:
    assert names_in(rule["expr"]), "an alert reads at least one metric"
    assert not unknown_names(rule["expr"]), "not exported by the service, the hub or Prometheus"


def test_alerts_cover_the_issue_s_signals() -> None:
    used = set().union(*(names_in(rule["expr"]) for rule in alert_rules()))
    for name in (
        "up",
        "coderunner_dependency_up",
        "coderunner_http_request_duration_seconds_count",
        "coderunner_queue_lane_depth",
        "coderunner_workers_announced",
        "coderunner_grading_seconds_bucket",
        "process_cpu_seconds_total",
        "coderunner_pool_ready",
        "coderunner_redis_used_memory_bytes",
        "coderunner_redis_maxmemory_bytes",
        "coderunner_db_command_duration_seconds_bucket",
    ):
        assert name in used


def test_the_name_check_reads_promql_as_prometheus_does() -> None:
    query = (
        'sum by (le) (rate(a_bucket{route!~"/x{1}(y)", i=~"$instance"}[$__rate_interval]))'
        " / ignoring(route) group_left b offset 5m > 1e3 and on() max(c_total) == bool 0"
        ' or absent(up{job="j"}) unless histogram_quantile(0.5, d_bucket[5m:1m])'
    )
    assert names_in(query) == {"a_bucket", "b", "c_total", "up", "d_bucket"}
    assert unknown_names("coderunner_no_such_metric > 0") == {"coderunner_no_such_metric"}
    assert "process_cpu_seconds_total" in service_names()
    assert "coderunner_pool_exhausted_total" in service_names()
    assert "jupyterhub_server_spawn_duration_seconds_bucket" in hub_names()
    assert not any(name.startswith("jupyterhub_") for name in service_names())


def test_rules_their_tests_and_the_dashboard_ship_in_the_wheel() -> None:
    """hatchling puts every file of a listed package in the wheel, unless excluded or
    ignored by git."""
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    wheel = wheel["targets"]["wheel"]
    assert "grading_service" in wheel["packages"]
    for path in (RULES_FILE, RULES_TESTS_FILE, DASHBOARD_FILE):
        relative = path.relative_to(ROOT).as_posix()
        assert path.is_file() and relative.startswith("grading_service/monitoring/")
        assert not any(fnmatch.fnmatch(relative, p) for p in wheel.get("exclude", []))
        ignored = subprocess.run(["git", "check-ignore", "-q", relative], cwd=ROOT)
        assert ignored.returncode == 1, f"{relative} is ignored by git, so left out"
