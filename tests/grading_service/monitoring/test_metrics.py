"""The metrics behind the alerts and the dashboard: HTTP requests by route pattern (never
by path), busy workers, database command latency, Redis memory and readiness, each
filled by the real thing (Tornado, PyMongo on the MongoDB-protocol server, Redis, the
grading service)."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any, cast

import pytest
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.httpserver import HTTPServer

from grading_service import metrics
from grading_service.edge.handlers import routes
from grading_service.grading.grader import Grader
from grading_service.grading.sandbox import SandboxFactory
from grading_service.jobs.queue import JobQueue, QueuedJob
from grading_service.jobs.worker import WorkerPool
from grading_service.monitoring import scrape
from grading_service.monitoring.db_latency import DatabaseLatency
from grading_service.monitoring.http import UNMATCHED, observe_request
from hub_config.devstack import free_port

from ..api import call

HTTP = "coderunner_http_request_duration_seconds"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def label_values(name: str) -> set[str]:
    """Every label value of every series of one metric family."""
    return {
        v
        for family in REGISTRY.collect()
        if family.name == name
        for s in family.samples
        for v in s.labels.values()
    }


class ThingHandler(web.RequestHandler):
    def get(self, thing_id: str) -> None:
        self.write({"id": thing_id})


class BoomHandler(web.RequestHandler):
    def post(self) -> None:
        raise RuntimeError("a bug of ours")


async def fetch(url: str, method: str = "GET") -> int:
    try:
        body = b"{}" if method == "POST" else None
        return (await AsyncHTTPClient().fetch(url, method=method, body=body)).code
    except HTTPClientError as exc:
        return exc.code


async def test_requests_are_counted_by_route_pattern_never_by_path() -> None:
    """Mounted as the service mounts its tables (at / and under the hub's prefix), two
    ids make one series; a path no route matches is 'unmatched'; errors by class."""
    app = web.Application(
        routes(
            ["/", "/services/grader/"],
            [(r"api/things/([^/]+)/?", ThingHandler), (r"api/boom/?", BoomHandler)],
        ),
        log_function=observe_request,
    )
    server = HTTPServer(app)
    port = free_port()
    server.listen(port, "127.0.0.1")
    base = f"http://127.0.0.1:{port}"
    things = {"route": "/api/things/([^/]+)/?", "method": "GET", "status": "2xx"}
    boom = {"route": "/api/boom/?", "method": "POST", "status": "5xx"}
    unmatched = {"route": UNMATCHED, "method": "GET", "status": "4xx"}
    series = {"things": things, "boom": boom, "unmatched": unmatched}
    before = {key: value(f"{HTTP}_count", **labels) for key, labels in series.items()}
    ids = [f"id-{secrets.token_hex(4)}" for _ in range(2)]
    try:
        assert await fetch(f"{base}/services/grader/api/things/{ids[0]}") == 200
        assert await fetch(f"{base}/api/things/{ids[1]}/") == 200
        assert await fetch(f"{base}/api/boom", "POST") == 500
        assert await fetch(f"{base}/no/such/{ids[0]}") == 404
    finally:
        server.stop()
    assert value(f"{HTTP}_count", **things) == before["things"] + 2
    assert value(f"{HTTP}_count", **boom) == before["boom"] + 1
    assert value(f"{HTTP}_count", **unmatched) == before["unmatched"] + 1
    assert value(f"{HTTP}_bucket", **things, le="+Inf") >= 2
    seen = label_values(HTTP)
    assert not any(i in v for i in ids for v in seen), "an id became a label value"
    assert not any(v.startswith("/services/") for v in seen), "one series per route"


class Stub:
    """Stands in for what ``WorkerPool`` is built with but ``process`` here never uses."""


async def test_a_worker_counts_as_busy_while_it_processes_a_job_even_one_that_fails() -> None:
    pool = WorkerPool(
        queue=cast(JobQueue, Stub()),
        storage=cast(Any, Stub()),
        grader=Grader(SandboxFactory(image="never-started:latest")),
        content=cast(Any, Stub()),
    )
    busy_inside: list[float] = []
    start = metrics.WORKERS_BUSY._value.get()

    async def process(job: QueuedJob, consumer: str) -> None:
        busy_inside.append(metrics.WORKERS_BUSY._value.get())
        await asyncio.sleep(0)
        if job.submission_id == "fails":
            raise RuntimeError("storage went away")

    pool._process = process  # type: ignore[method-assign]
    await pool.process(QueuedJob("s", "1-0", "works"), "c")
    with pytest.raises(RuntimeError):
        await pool.process(QueuedJob("s", "2-0", "fails"), "c")
    assert busy_inside == [start + 1, start + 1]
    assert metrics.WORKERS_BUSY._value.get() == start


async def test_database_commands_are_timed_by_name_and_outcome(mongodb_server) -> None:
    """The listener as Storage registers it, on a client of the real server."""
    client: AsyncMongoClient = AsyncMongoClient(
        mongodb_server.mongodb_uri, event_listeners=[DatabaseLatency()], timeoutMS=5000
    )
    name = "coderunner_db_command_duration_seconds_count"
    before_ok = value(name, command="insert", outcome="ok")
    before_error = value(name, command="noSuchCommand", outcome="error")
    database = f"test_{secrets.token_hex(4)}"
    try:
        await client[database]["things"].insert_one({"a": 1})
        with pytest.raises(OperationFailure):
            await client[database].command("noSuchCommand")
    finally:
        await client.drop_database(database)
        await client.close()
    assert value(name, command="insert", outcome="ok") == before_ok + 1
    assert value(name, command="noSuchCommand", outcome="error") == before_error + 1


async def test_redis_memory_and_its_limit_come_from_info_memory(redis_client) -> None:
    limit = int((await redis_client.config_get("maxmemory"))["maxmemory"])
    try:
        await redis_client.config_set("maxmemory", 3 * 1024**3)  # far above what tests use
        used, maxmemory = await scrape.redis_memory(redis_client)
    finally:
        await redis_client.config_set("maxmemory", limit)
    assert 0 < used < maxmemory == 3 * 1024**3


def test_readiness_gauges_follow_the_checks() -> None:
    ok = {"redis": "ok", "mongodb": "ok", "docker": "ok"}
    assert metrics.record_readiness(ok)
    assert value("coderunner_ready") == 1
    assert not metrics.record_readiness({**ok, "mongodb": "error: ServerSelectionTimeoutError"})
    assert value("coderunner_ready") == 0
    assert value("coderunner_dependency_up", dependency="mongodb") == 0
    assert value("coderunner_dependency_up", dependency="redis") == 1
    metrics.record_readiness(ok)


async def test_a_scrape_of_the_service_reads_every_gauge_and_its_requests(service) -> None:
    """The real service: its requests are observed by route, and a scrape brings the
    queue, worker, pool, Redis and readiness gauges up to date."""
    unknown = f"sub-{secrets.token_hex(6)}"
    status, _, _ = await call(service, "GET", "/api/problems")
    assert status == 200
    status, _, _ = await call(service, "GET", f"{service.service_prefix}api/submissions/{unknown}")
    assert status == 404
    for gauge in (metrics.WORKERS, metrics.WORKERS_ANNOUNCED, metrics.READY):
        gauge.set(-1)
    await scrape.refresh(service)
    assert value(f"{HTTP}_count", route="/api/problems/?", method="GET", status="2xx") >= 1
    submission = {"route": "/api/submissions/([^/]+)/?", "method": "GET", "status": "4xx"}
    assert value(f"{HTTP}_count", **submission) >= 1
    assert not any(unknown in v for v in label_values(HTTP))
    assert value("coderunner_workers") == service.workers.concurrency
    assert value("coderunner_workers_announced") >= service.workers.concurrency
    assert value("coderunner_ready") == 1
    for dependency in metrics.DEPENDENCIES:
        assert value("coderunner_dependency_up", dependency=dependency) == 1
    assert value("coderunner_redis_used_memory_bytes") > 0
    assert value("coderunner_queue_depth") == sum(
        value("coderunner_queue_lane_depth", lane=lane) for lane in ("priority", "normal", "batch")
    )
    assert value("coderunner_pool_target") == service.pool.target
