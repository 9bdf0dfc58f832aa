"""Which metric names a PromQL query uses, and which names exist: those the grading
service exports, those JupyterHub's ``/hub/metrics`` exports, and Prometheus' own ``up``.
Shared by the alert rules' and the dashboard's tests."""

from __future__ import annotations

import re
from collections.abc import Iterable

from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric

import grading_service.metrics  # noqa: F401 - registers the service's metrics
import grading_service.monitoring.db_latency  # noqa: F401
import grading_service.monitoring.http  # noqa: F401
import grading_service.monitoring.scrape  # noqa: F401
from grading_service.monitoring import HERE as MONITORING

__all__ = ["MONITORING", "hub_names", "names_in", "service_names", "unknown_names"]

# Made by Prometheus for every scrape target, not by a target.
PROMETHEUS_NAMES = frozenset({"up"})

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "unknown": ("",),
}


def sample_names(families: Iterable[Metric]) -> set[str]:
    """The names of the series a scrape of these metric families can hold."""
    return {f.name + suffix for f in families for suffix in _SUFFIXES[f.type]}


def service_names() -> set[str]:
    """Every series name the grading service's ``/metrics`` can answer with: its own
    metrics and prometheus_client's defaults (``process_*``, ``python_*``)."""
    return {n for n in sample_names(REGISTRY.collect()) if not n.startswith("jupyterhub_")}


def hub_names() -> set[str]:
    """The series names of JupyterHub's own metrics (the hub's ``/hub/metrics``)."""
    from jupyterhub import metrics as hub

    families = [
        family
        for value in vars(hub).values()
        if isinstance(value, MetricWrapperBase)
        for family in value.describe()
    ]
    return sample_names(families)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.:$])[A-Za-z_:][\w:]*(?![\w:])")
_KEYWORDS = frozenset(
    "and or unless atan2 bool offset by without on ignoring group_left group_right "
    "sum min max avg group stddev stdvar count count_values bottomk topk quantile "
    "limitk limit_ratio inf nan".split()
)


def names_in(query: str) -> set[str]:
    """The metric names a PromQL query selects. Grafana's variables (``$instance``,
    ``$__rate_interval``) may appear in label matchers and ranges."""
    text = _STRING.sub('""', query)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = _GROUPING.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name = match.group()
        if name.lower() in _KEYWORDS or text[match.end() :].lstrip().startswith("("):
            continue  # an operator or a function call
        names.add(name)
    return names


def unknown_names(query: str) -> set[str]:
    """The names a query uses that neither the service, the hub nor Prometheus makes."""
    known = service_names() | hub_names() | PROMETHEUS_NAMES
    return names_in(query) - known
