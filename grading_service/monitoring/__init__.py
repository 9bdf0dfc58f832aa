"""Observability of the grading service: what fills the metrics (``grading_service.metrics``
defines them), the Prometheus alert rules and their unit tests, and a Grafana dashboard.

- ``http.py``: the application's ``log_function``, observing each request by route pattern.
- ``db_latency.py``: a PyMongo command listener timing every MongoDB command.
- ``scrape.py``: gauges read on each scrape of ``/metrics`` (queue, workers, pool, Redis
  memory, readiness).
- ``alerts.rules.yml``: alert rules (``promtool check rules``), unit-tested by
  ``alerts.test.yml`` (``promtool test rules``).
- ``grafana-dashboard.json``: the same signals, to import into Grafana.

Prometheus is expected to scrape the grading service's ``/metrics`` as job
``coderunner-grader`` and the hub's ``/hub/metrics`` as job ``jupyterhub``.
"""

from pathlib import Path

HERE = Path(__file__).parent
RULES_FILE = HERE / "alerts.rules.yml"  # point Prometheus' rule_files here
RULES_TESTS_FILE = HERE / "alerts.test.yml"
DASHBOARD_FILE = HERE / "grafana-dashboard.json"  # import into Grafana
