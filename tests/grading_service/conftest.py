"""Fixtures for the grading service's tests.

``make_service`` runs the service in-process against the real Redis, MongoDB-protocol
server and Docker; only the hub's answers about tokens come from memory (``FakeHubAuth``).
``redis_client`` and ``storage`` are the real servers for one module's tests.
``write_problem`` writes a problem folder, as content authors do.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import secrets
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis
from jupyterhub.services.auth import HubAuth
from traitlets.config import Config

from grading_service.app import GradingService
from grading_service.storage import Storage
from hub_config.devstack import free_port
from hub_config.settings import ROOT

from .fake_hub import FakeHubAuth

ARTIFACTS = ROOT / "tests" / "artifacts"
SHUTDOWN_LIMIT_SECONDS = 90  # above the drain's own limits (workers 60 s, requests 10 s)


class ServiceWithFakeHub(GradingService):
    """The real grading service, asking a hub in memory about hub tokens; JWTs are still
    checked for real."""

    def init_hub_auth(self) -> HubAuth:
        real = super().init_hub_auth()
        return FakeHubAuth(
            parent=self, cache_max_age=real.cache_max_age, access_scopes=real.access_scopes
        )


@pytest.fixture
def service_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """For a service that is initialised but not started: hub variables and a JWT secret
    set, an empty working directory (no ``coderunner_grader_config.py`` from the
    checkout), and the root logger put back afterwards (``initialize`` takes it over)."""
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "x")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secrets.token_hex(32))
    monkeypatch.delenv("CODERUNNER_JWT_SECRET_FILE", raising=False)
    monkeypatch.delenv("JUPYTERHUB_SERVICE_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], level = saved
    root.setLevel(level)


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    """The secret the services of ``make_service`` verify service-account JWTs with."""
    return secrets.token_hex(32)


@pytest.fixture
async def make_service(backing_services, sandbox_image, new_instance_name, jwt_secret, monkeypatch):
    """Start grading services with extra traitlets config; all are shut down afterwards.

    ``make(Class__trait=value, option=value)``; each service gets its own database,
    queue and key prefix unless told to share one. ``app.base`` is its URL.
    """
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "unused")
    monkeypatch.delenv("JUPYTERHUB_SERVICE_NAME", raising=False)
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", jwt_secret)
    started = []

    async def make(redis_url: str | None = None, **settings) -> GradingService:
        config = Config()
        config.SandboxFactory.image = sandbox_image
        config.SandboxFactory.instance_name = new_instance_name()
        config.WorkerPool.visibility_timeout_seconds = 2.0
        config.SandboxPool.size = 1
        config.SandboxPool.max_size = 2  # tests send bursts; keep the daemon's load small
        config.Admission.key_prefix = f"t{secrets.token_hex(4)}"
        config.RequestLimits.key_prefix = config.Admission.key_prefix
        options = {
            "ip": "127.0.0.1",
            "port": free_port(),
            "content_dir": str(ROOT / "content"),
            "mongodb_uri": backing_services.mongodb_uri,
            "redis_url": redis_url or backing_services.redis_url,
            "mongodb_database": f"test_{secrets.token_hex(4)}",
            "queue_stream": f"jobs:{secrets.token_hex(4)}",
        }
        for key, value in settings.items():
            if "__" in key:  # Class__trait=value
                cls, trait = key.split("__")
                setattr(config[cls], trait, value)
            else:  # a GradingService option
                options[key] = value
        app = ServiceWithFakeHub(config=config, **options)
        app.initialize([])
        await app.start_serving()
        app.base = f"http://127.0.0.1:{app.port}"
        started.append(app)
        return app

    yield make
    for app in started:
        stopping = asyncio.create_task(app.shutdown())
        await asyncio.wait({stopping}, timeout=SHUTDOWN_LIMIT_SECONDS)
        if not stopping.done():
            # Seen in full runs and never alone: keep where the shutdown and every other
            # task waited, and go on (with a warning) rather than hold the whole suite
            # until pytest-timeout.
            out = io.StringIO()
            print(f"--- shutdown of {app.base} took over {SHUTDOWN_LIMIT_SECONDS} s", file=out)
            stopping.print_stack(file=out)
            for task in asyncio.all_tasks():
                task.print_stack(file=out)
            stopping.cancel()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "shutdown-hang.txt").write_text(out.getvalue())
            warnings.warn(
                f"a grading service took over {SHUTDOWN_LIMIT_SECONDS} s to shut down; "
                "tests/artifacts/shutdown-hang.txt has its tasks",
                stacklevel=1,
            )
        elif not stopping.cancelled():
            stopping.exception()  # taken and dropped: a test may have stopped its Redis


@pytest.fixture
async def service(make_service) -> GradingService:
    """One grading service with the default settings and the curriculum in content/."""
    return await make_service()


@pytest.fixture
async def redis_client(redis_server) -> AsyncIterator[redis.Redis]:
    """A client of the session's Redis server (strings, not bytes); give keys and streams
    a fresh prefix, the server is shared."""
    client = redis.from_url(redis_server.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def storage(mongodb_server) -> AsyncIterator[Storage]:
    """``Storage`` on a database of its own in the session's MongoDB-protocol server."""
    database = f"test_{secrets.token_hex(4)}"
    storage = Storage(mongodb_server.mongodb_uri, database)
    yield storage
    await storage.client.drop_database(database)
    await storage.close()


DOUBLE_TEST = "from solution import solve\n\ndef test_one():\n    assert solve(1) == 2\n"


def _write_problem(
    root: Path,
    problem_id: str = "double",
    *,
    track: str = "t",
    level: int = 1,
    meta: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    d = root / track / f"level-{level}" / problem_id
    d.mkdir(parents=True)
    problem = {
        "id": problem_id,
        "title": problem_id.replace("-", " ").capitalize(),
        "track": track,
        "level": level,
        "points": 10,
        "kind": "function",
        "time_limit_seconds": 5,
        "memory_limit_mb": 128,
        **(meta or {}),
    }
    written = {
        "problem.json": json.dumps(problem),
        "statement.md": "Return twice `n`.",
        "starter.py": "def solve(n):\n    pass\n",
        "tests_hidden.py": DOUBLE_TEST,
        **(files or {}),
    }
    for name, text in written.items():
        (d / name).write_text(text)
    track_file = root / track / "track.json"
    if not track_file.exists():
        track_file.write_text(
            json.dumps({"id": track, "title": track.capitalize(), "ages": "8-11", "order": 0})
        )
    level_file = d.parent / "level.json"
    if not level_file.exists():
        level_file.write_text(json.dumps({"level": level, "title": f"Level {level}"}))
    return d


@pytest.fixture(scope="session")
def write_problem() -> Callable[..., Path]:
    """``write_problem(root, problem_id="double", track="t", level=1, meta={...},
    files={...})`` writes ``root/<track>/level-<level>/<problem_id>/`` and returns it.

    ``problem.json`` is a function problem worth 10 points with a 5 s limit and 128 MiB,
    updated with ``meta``. ``statement.md``, a ``solve(n)`` starter and one hidden test
    (``solve(1) == 2``) are there unless ``files`` gives others; ``files`` adds anything
    else (``tests_public.py``, ``solution.py`` ...). ``track.json`` and ``level.json``
    are written when missing, so ``root`` is a content folder the service and
    ``coderunner content validate`` accept.
    """
    return _write_problem


class LogRecords(logging.Handler):
    """The records one logger emitted while a test watched it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture
def log_records() -> Callable[[logging.Logger | str], Any]:
    """``with log_records("coderunner.worker") as logged:`` keeps that logger's records in
    ``logged.records`` (the tests also run with ``-p no:logging``, without ``caplog``)."""

    @contextmanager
    def watch(logger: logging.Logger | str) -> Iterator[LogRecords]:
        log = logging.getLogger(logger) if isinstance(logger, str) else logger
        handler = LogRecords()
        log.addHandler(handler)
        try:
            yield handler
        finally:
            log.removeHandler(handler)

    return watch
