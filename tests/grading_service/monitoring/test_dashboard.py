"""The Grafana dashboard (grading_service/monitoring/grafana-dashboard.json): valid JSON
Grafana can import, a panel for each signal, and every query naming a metric that exists
in PromQL that Prometheus accepts."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from grading_service.monitoring import DASHBOARD_FILE as DASHBOARD

from .metric_names import names_in, unknown_names


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every panel's query."""
    return [
        (panel["title"], target["expr"])
        for panel in dashboard()["panels"]
        for target in panel.get("targets", [])
    ]


def test_dashboard_has_what_grafana_needs_to_import_it() -> None:
    board = dashboard()
    assert board["title"] and board["uid"] == "coderunner-grader"
    assert isinstance(board["schemaVersion"], int)
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert {"h", "w", "x", "y"} <= grid.keys() and grid["x"] + grid["w"] <= 24
        if panel["type"] == "row":
            continue
        assert panel["title"] and panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}"
        for target in panel["targets"]:
            assert target["expr"].strip() and target["refId"]
            assert target["datasource"]["uid"] == "${datasource}"


def test_panels_do_not_overlap() -> None:
    taken: set[tuple[int, int]] = set()
    for panel in dashboard()["panels"]:
        grid = panel["gridPos"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, panel["title"]
        taken |= cells


def test_every_query_names_a_metric_that_exists() -> None:
    for title, expr in queries():
        assert names_in(expr), title
        assert not unknown_names(expr), f"{title}: {expr}"
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] == "query":
            metric = re.fullmatch(r"label_values\((\w+), *\w+\)", variable["definition"])
            assert metric and not unknown_names(metric.group(1))


def test_dashboard_shows_each_signal_of_the_issue() -> None:
    used = set().union(*(names_in(expr) for _, expr in queries()))
    for name in (
        "coderunner_http_request_duration_seconds_bucket",  # HTTP latency per route
        "coderunner_http_request_duration_seconds_count",  # and errors
        "coderunner_workers_busy",  # worker utilisation
        "coderunner_workers",
        "coderunner_pool_ready",  # pool size
        "coderunner_pool_target",
        "coderunner_pool_exhausted_total",  # and exhaustion
        "coderunner_queue_lane_depth",  # queue depth
        "coderunner_queue_wait_seconds_bucket",  # and wait
        "coderunner_grading_seconds_bucket",  # grading latency
        "coderunner_db_command_duration_seconds_bucket",  # database latency
        "coderunner_redis_used_memory_bytes",  # Redis memory
        "jupyterhub_server_spawn_duration_seconds_bucket",  # hub spawn latency
    ):
        assert name in used, name


def test_prometheus_accepts_every_query(promtool: str, tmp_path: Path) -> None:
    """Each query, with Grafana's variables filled in, as a recording rule promtool
    checks."""
    rules = [
        {
            "record": f"dashboard:query_{n}",
            "expr": expr.replace("$__rate_interval", "5m").replace("$instance", ".*"),
        }
        for n, (_, expr) in enumerate(queries())
    ]
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "$" not in path.read_text(), "a Grafana variable left unfilled"
