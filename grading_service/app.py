"""The grading service application: configuration, start-up checks, serving, shutdown.

Run it with ``coderunner grader``; JupyterHub starts it as a managed service (see
``hub_config/``), which sets ``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``,
``JUPYTERHUB_API_URL`` and ``JUPYTERHUB_API_TOKEN``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import redis.asyncio as redis
from jupyterhub.services.auth import HubAuth
from tornado import web
from tornado.httpserver import HTTPServer
from traitlets import Integer, Unicode, default
from traitlets.config import Application

from . import __version__
from .admission import Admission
from .auth import HubIdentity, Identities
from .content import ContentError, ContentStore
from .grader import Grader
from .handlers import routes
from .log import setup_json_logging
from .notify import VerdictNotifier
from .queue import JobQueue
from .sandbox import SandboxFactory, SandboxPool
from .storage import Storage
from .tokens import SecretError, TokenConfig
from .worker import WorkerPool


class ConfigError(ValueError):
    """Configuration that cannot work; the service refuses to start."""


class GradingService(Application):
    name = "coderunner-grader"
    description = "Code Runner grading service"
    version = __version__
    classes = [SandboxFactory, SandboxPool, Grader, WorkerPool, Admission, TokenConfig]

    ip = Unicode(
        help="Address to listen on. Default: from JUPYTERHUB_SERVICE_URL, else 127.0.0.1. "
        "Env: CODERUNNER_GRADER_IP.",
    ).tag(config=True)

    @default("ip")
    def _default_ip(self) -> str:
        if os.environ.get("CODERUNNER_GRADER_IP"):
            return os.environ["CODERUNNER_GRADER_IP"]
        url = os.environ.get("JUPYTERHUB_SERVICE_URL")
        return (urlparse(url).hostname or "127.0.0.1") if url else "127.0.0.1"

    port = Integer(
        help="Port to listen on. Default: from JUPYTERHUB_SERVICE_URL, else 8890. "
        "Env: CODERUNNER_GRADER_PORT.",
    ).tag(config=True)

    @default("port")
    def _default_port(self) -> int:
        if os.environ.get("CODERUNNER_GRADER_PORT"):
            return int(os.environ["CODERUNNER_GRADER_PORT"])
        url = os.environ.get("JUPYTERHUB_SERVICE_URL")
        return (urlparse(url).port or 8890) if url else 8890

    service_prefix = Unicode(
        help="""URL prefix the hub's proxy uses for this service; the API answers both under
        it and at the root of its own port. Env: JUPYTERHUB_SERVICE_PREFIX.""",
    ).tag(config=True)

    @default("service_prefix")
    def _default_prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/grader/")

    content_dir = Unicode(
        help="Folder holding the problems (tracks/levels/problems). Env: CODERUNNER_CONTENT_DIR.",
    ).tag(config=True)

    @default("content_dir")
    def _default_content(self) -> str:
        return os.environ.get("CODERUNNER_CONTENT_DIR", "content")

    mongodb_uri = Unicode(
        help="MongoDB connection string (required). Env: MONGODB_URI.",
    ).tag(config=True)

    @default("mongodb_uri")
    def _default_mongo(self) -> str:
        return os.environ.get("MONGODB_URI", "")

    mongodb_database = Unicode(
        help="Database holding submissions and progress. Env: CODERUNNER_DB (default coderunner).",
    ).tag(config=True)

    @default("mongodb_database")
    def _default_db(self) -> str:
        return os.environ.get("CODERUNNER_DB", "coderunner")

    redis_url = Unicode(help="Redis URL (required). Env: REDIS_URL.").tag(config=True)

    @default("redis_url")
    def _default_redis(self) -> str:
        return os.environ.get("REDIS_URL", "")

    queue_stream = Unicode(
        help="Redis stream holding jobs. Env: CODERUNNER_STREAM (default coderunner:jobs).",
    ).tag(config=True)

    @default("queue_stream")
    def _default_stream(self) -> str:
        return os.environ.get("CODERUNNER_STREAM", "coderunner:jobs")

    max_code_bytes = Integer(
        64 * 1024, help="Largest accepted source code in bytes (413 above)."
    ).tag(config=True)

    max_notebook_bytes = Integer(
        1024 * 1024, help="Largest accepted request body in bytes (413 above)."
    ).tag(config=True)

    submission_retention_days = Integer(
        365,
        help="Submissions older than this are deleted (TTL index); progress is kept.",
    ).tag(config=True)

    hub_cache_seconds = Integer(60, help="How long the hub's answer about a token is cached.").tag(
        config=True
    )

    def validate(self) -> None:
        """Fail fast on configuration that cannot work."""
        problems = []
        if not self.mongodb_uri:
            problems.append("MONGODB_URI is not set (MongoDB connection string)")
        if not self.redis_url:
            problems.append("REDIS_URL is not set (Redis URL)")
        if not os.environ.get("JUPYTERHUB_API_URL"):
            problems.append("JUPYTERHUB_API_URL is not set (run as a JupyterHub service)")
        if not os.environ.get("JUPYTERHUB_API_TOKEN"):
            problems.append("JUPYTERHUB_API_TOKEN is not set (the service's hub token)")
        if not Path(self.content_dir).is_dir():
            problems.append(f"content folder {self.content_dir!r} does not exist")
        if problems:
            raise ConfigError("; ".join(problems))

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        setup_json_logging()
        self.validate()
        try:
            self.content = ContentStore(Path(self.content_dir))
        except ContentError as exc:
            raise ConfigError(f"content: {exc}") from None
        prefix = "/" + self.service_prefix.strip("/") + "/"
        self.hub_auth = HubAuth(
            cache_max_age=self.hub_cache_seconds, access_scopes=self._access_scopes()
        )
        self.tokens = TokenConfig(parent=self)
        try:
            key = self.tokens.load_key()
        except SecretError as exc:
            raise ConfigError(f"JWT secret: {exc}") from None
        self.identity = Identities(HubIdentity(self.hub_auth), self.tokens, key)
        self.storage = Storage(self.mongodb_uri, self.mongodb_database)
        self.redis = redis.from_url(
            self.redis_url,
            decode_responses=True,
            socket_connect_timeout=5,
            health_check_interval=30,
        )
        self.queue = JobQueue(self.redis, stream=self.queue_stream)
        self.admission = Admission(self.redis, self.queue, parent=self)
        self.notifier = VerdictNotifier(self.redis, f"{self.queue_stream}:verdicts")
        self.sandboxes = SandboxFactory(parent=self)
        self.pool = SandboxPool(self.sandboxes, parent=self)
        self.grader = Grader(self.sandboxes, pool=self.pool, parent=self)
        self.workers = WorkerPool(
            parent=self,
            queue=self.queue,
            storage=self.storage,
            grader=self.grader,
            content=self.content,
            notifier=self.notifier,
        )
        self.web_app = web.Application(
            routes(["/", prefix]), service=self, log_function=lambda handler: None
        )

    def _access_scopes(self) -> set[str]:
        name = os.environ.get("JUPYTERHUB_SERVICE_NAME", "grader")
        return {f"access:services!service={name}"}

    async def check_dependencies(self) -> dict[str, str]:
        async def check(coro) -> str:  # noqa: ANN001
            try:
                await asyncio.wait_for(coro, 3)
                return "ok"
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                return f"error: {type(exc).__name__}: {str(exc)[:200]}"

        redis_state, mongo_state, docker_state = await asyncio.gather(
            check(self.redis.ping()), check(self.storage.ping()), check(self.sandboxes.ping())
        )
        return {"redis": redis_state, "mongodb": mongo_state, "docker": docker_state}

    async def start_serving(self) -> HTTPServer:
        """Prepare storage and queue, start workers, listen. Returns the HTTP server."""
        # Docker SDK calls run in threads; the default pool (cores + 4) is too small for
        # several workers plus pool refills.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=32, thread_name_prefix="coderunner")
        )
        await self.storage.ensure_indexes(self.submission_retention_days * 86400)
        await self.queue.ensure_group()
        removed = await self.sandboxes.remove_all()
        if removed:
            self.log.info("removed %d sandboxes left from an earlier run", removed)
        await self.notifier.start()
        await self.pool.start()
        await self.grader.start()
        await self.workers.start()
        self.http_server = HTTPServer(
            self.web_app, max_body_size=self.max_notebook_bytes * 4, xheaders=True
        )
        self.http_server.listen(self.port, self.ip)
        self.log.info(
            "grading service listening on http://%s:%d%s", self.ip, self.port, self.service_prefix
        )
        return self.http_server

    def reload_content(self) -> None:
        """Load the content folder again (SIGHUP); keep the old content if it is broken."""
        try:
            self.content.reload()
        except ContentError as exc:
            self.log.error("content reload failed, keeping the loaded content: %s", exc)
            return
        self.log.info("content reloaded: %d problems", len(self.content.problems))

    async def shutdown(self) -> None:
        """Stop accepting, let jobs in flight finish, remove our sandboxes, close clients."""
        self.log.info("shutting down: no new requests, finishing jobs in flight")
        if getattr(self, "http_server", None):
            self.http_server.stop()
        await self.workers.stop()
        await self.grader.close()
        await self.pool.close()
        await self.notifier.stop()
        await self.sandboxes.remove_all()
        await self.redis.aclose()
        await self.storage.close()

    async def serve(self) -> None:
        await self.start_serving()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload_content)
        await stop.wait()
        await self.shutdown()

    def start(self) -> None:
        asyncio.run(self.serve())


def main(argv: list[str] | None = None) -> None:
    app = GradingService()
    try:
        app.initialize(argv)
    except ConfigError as exc:
        print(f"coderunner grader: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    app.start()
