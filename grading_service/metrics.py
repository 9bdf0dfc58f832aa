"""Prometheus metrics, served at ``/metrics``."""

from prometheus_client import Counter, Gauge, Histogram

from .jobs.queue import LANES

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

# HTTP: one series per route pattern (never the raw path, whose ids would make a series
# each), method and status class. Observed once per request by the application's
# log_function (grading_service/monitoring/http.py). Long polls (?wait=N) last up to
# GradingService.max_wait_seconds, hence the top buckets.
HTTP_REQUEST_SECONDS = Histogram(
    "coderunner_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern, method and status class (2xx...5xx)",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

# Workers: utilisation is busy / slots; slots are this replica's, announced are every
# replica's (what admission counts, from Redis).
WORKERS_BUSY = Gauge("coderunner_workers_busy", "Jobs this replica's workers are grading now")
WORKERS = Gauge("coderunner_workers", "Jobs this replica grades at a time (WorkerPool.concurrency)")
WORKERS_ANNOUNCED = Gauge(
    "coderunner_workers_announced",
    "Jobs graded at a time by every replica that announced itself in Redis lately",
)

POOL_EXHAUSTED = Counter(
    "coderunner_pool_exhausted_total",
    "Sandbox acquisitions that found the warm pool empty and started a sandbox on the spot",
)

SANDBOXES_SWEPT = Counter(
    "coderunner_sandboxes_swept_total",
    "Sandboxes removed late by the sweep: their removal failed when due (the Docker "
    "daemon was away), or a daemon restart cut their start short",
)

QUEUE_LANE_DEPTH = Gauge(
    "coderunner_queue_lane_depth",
    "Jobs waiting or in progress in one lane (priority, normal, batch); their sum is "
    "coderunner_queue_depth. A batch run fills its lane by design: alerts leave it out.",
    ["lane"],
)
for _lane in LANES:  # every series exists from the start
    QUEUE_LANE_DEPTH.labels(_lane)
QUEUE_OLDEST_WAIT_SECONDS = Gauge(
    "coderunner_queue_oldest_wait_seconds",
    "How long the oldest job no worker has taken yet, in the priority and normal lanes, "
    "has been waiting (0 when none waits)",
)

DB_COMMAND_SECONDS = Histogram(
    "coderunner_db_command_duration_seconds",
    "Time of one MongoDB command as the driver measured it, by command and outcome (ok, error)",
    ["command", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

REDIS_USED_MEMORY_BYTES = Gauge(
    "coderunner_redis_used_memory_bytes", "Memory Redis uses (INFO memory: used_memory)"
)
REDIS_MAXMEMORY_BYTES = Gauge(
    "coderunner_redis_maxmemory_bytes",
    "Memory limit of Redis (INFO memory: maxmemory); 0 means no limit",
)

# Readiness, as /health/ready reports it: refreshed on every scrape of /metrics and on
# every call of /health/ready.
DEPENDENCIES = ("redis", "mongodb", "docker")
READY = Gauge("coderunner_ready", "1 when every dependency answers (/health/ready is 200), else 0")
DEPENDENCY_UP = Gauge(
    "coderunner_dependency_up",
    "1 when the dependency answers its readiness check, else 0",
    ["dependency"],
)
for _dependency in DEPENDENCIES:  # every series exists from the start
    DEPENDENCY_UP.labels(_dependency)


def record_readiness(checks: dict[str, str]) -> bool:
    """Set the readiness gauges from ``check_dependencies``' answer; True when ready."""
    ready = all(state == "ok" for state in checks.values())
    for dependency, state in checks.items():
        DEPENDENCY_UP.labels(dependency).set(1 if state == "ok" else 0)
    READY.set(1 if ready else 0)
    return ready
