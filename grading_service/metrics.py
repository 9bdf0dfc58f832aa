"""Prometheus metrics, served at ``/metrics``."""

from prometheus_client import Counter, Gauge, Histogram

SUBMISSIONS = Counter("coderunner_submissions_total", "Submissions accepted", ["source"])
REJECTIONS = Counter("coderunner_rejections_total", "Submissions refused", ["reason"])
REQUEST_REFUSALS = Counter(
    "coderunner_request_refusals_total",
    "API requests refused by the per-user limits (429)",
    ["reason"],
)
LIMITER_UNAVAILABLE = Counter(
    "coderunner_request_limits_skipped_total",
    "Requests let through unlimited because Redis did not answer the limiter",
)
VERDICTS = Counter("coderunner_verdicts_total", "Verdicts stored", ["verdict"])
INFRA_RETRIES = Counter("coderunner_infra_retries_total", "Jobs retried after infra faults")
GRADING_ERRORS = Counter(
    "coderunner_grading_errors_total",
    "Unexpected errors while grading (bugs on our side; retried, traceback logged)",
)
GRADING_SECONDS = Histogram(
    "coderunner_grading_seconds",
    "Time from sandbox start to verdict",
    buckets=(0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30),
)
QUEUE_WAIT_SECONDS = Histogram(
    "coderunner_queue_wait_seconds",
    "Time from acceptance to a worker taking the job",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
QUEUE_DEPTH = Gauge("coderunner_queue_depth", "Jobs waiting or in progress")
POOL_READY = Gauge("coderunner_pool_ready", "Started sandboxes waiting in the warm pool")
POOL_TARGET = Gauge(
    "coderunner_pool_target", "Sandboxes the warm pool aims to keep ready (from recent demand)"
)
