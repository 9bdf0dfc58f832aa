"""The grading service application: configuration, start-up checks, serving, shutdown.

Run it with ``coderunner grader``; JupyterHub starts it as a managed service (see
``hub_config/``), which sets ``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``,
``JUPYTERHUB_API_URL`` and ``JUPYTERHUB_API_TOKEN``.

It is a traitlets ``Application`` as JupyterHub is: options come from a config file
(``coderunner_grader_config.py`` in the working directory, or ``--config PATH``), then
the command line (``--Admission.daily_quota=50``); every component is created with
``parent=self``, so ``c.<Class>.<option>`` reaches it; and everything logs to one JSON
stream (``log.py``). ``coderunner grader --generate-config`` prints every option.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import cast
from urllib.parse import urlparse

import redis.asyncio as redis
from jupyterhub.services.auth import HubAuth, HubOAuth
from tornado import web
from tornado.httpserver import HTTPServer
from traitlets import Bool, Float, Integer, Unicode, default, observe
from traitlets.config import Application

from . import __version__
from .content.store import ContentError, ContentStore
from .dashboard import handlers as dashboard
from .edge import assessments, leaderboards, openapi, people, practice, privacy
from .edge.admission import Admission
from .edge.auth import HubIdentity, Identities
from .edge.handlers import ROUTES, NotFoundHandler, routes
from .edge.privacy import DEFAULT_NOTICE, NoticeError, PrivacyNotice
from .edge.private import Drain, MonitoringAccess
from .edge.request_limits import RequestLimits
from .edge.submissions import SubmissionService
from .edge.tokens import SecretError, TokenConfig
from .grading.availability import DockerAvailability
from .grading.grader import Grader
from .grading.sandbox import SandboxError, SandboxFactory, SandboxPool
from .jobs.notify import VerdictNotifier
from .jobs.queue import JobQueue
from .jobs.worker import WorkerPool
from .log import (
    JSONFormatter,
    init_json_logging,
    level_from_env,
    log_effective_config,
    log_file_handler,
)
from .monitoring.http import observe_request
from .ops import migrations
from .ops.retention import Retention
from .storage import Storage

DEFAULT_CONFIG_FILE = "coderunner_grader_config.py"
HUB_CACHE_SECONDS = 60  # our default for HubAuth.cache_max_age (JupyterHub's is 300)


class ConfigError(ValueError):
    """Configuration that cannot work; the service refuses to start."""


class GradingService(Application):
    name = "coderunner-grader"
    description = "Code Runner grading service"
    version = __version__
    classes = [
        HubAuth,
        HubIdentity,
        TokenConfig,
        Admission,
        RequestLimits,
        MonitoringAccess,
        VerdictNotifier,
        SandboxFactory,
        SandboxPool,
        Grader,
        WorkerPool,
        Retention,
    ]
    aliases = {
        **Application.aliases,
        "config": "GradingService.config_file",
        "ip": "GradingService.ip",
        "port": "GradingService.port",
    }
    flags = {
        **Application.flags,
        "generate-config": (
            {"GradingService": {"generate_config": True}},
            "Print a config file listing every option with its help, then exit.",
        ),
    }
    raise_config_file_errors = True  # a broken config file stops the start, as JupyterHub's
    _log_formatter_cls = JSONFormatter  # type: ignore[assignment]  # any Formatter works

    @default("log_level")
    def _default_log_level(self) -> int:
        try:  # --log-level=NAME and c.GradingService.log_level win over the variable
            return level_from_env(logging.INFO)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    log_file = Unicode(
        help="""Also write the JSON log lines to this file (stderr keeps them too). It
        rotates when it reaches log_max_bytes and every day; rotated files older than
        log_max_age_days, or beyond log_backup_count, are deleted. One file per process.
        Default: $CODERUNNER_LOG_FILE, else none (stderr only).""",
    ).tag(config=True)

    @default("log_file")
    def _default_log_file(self) -> str:
        return os.environ.get("CODERUNNER_LOG_FILE", "")

    log_max_bytes = Integer(
        10 * 1024 * 1024, help="Size in bytes at which log_file is rotated (default 10 MiB)."
    ).tag(config=True)

    log_backup_count = Integer(
        30, help="Rotated log files kept beside log_file, at most (the oldest go first)."
    ).tag(config=True)

    log_max_age_days = Float(
        30.0,
        help="""Rotated log files whose last line is older than this many days are deleted.
        Logs name learners: keep it within what the privacy notice promises.""",
    ).tag(config=True)

    config_file = Unicode(
        DEFAULT_CONFIG_FILE,
        help=f"""Python config file to load, as jupyterhub_config.py: for example
        `c.Admission.group_limits = {{"exam-room": {{"daily_quota": 20}}}}`. Default:
        {DEFAULT_CONFIG_FILE} in the working directory, skipped when there is none; a file
        named with --config must exist. Command-line options win over the file.""",
    ).tag(config=True)

    generate_config = Bool(
        False, help="Print a config file with every option and its help, then exit."
    ).tag(config=True)

    ip = Unicode(
        help="""Address to listen on. Default: $CODERUNNER_GRADER_IP, else the host of
        $JUPYTERHUB_SERVICE_URL, else 127.0.0.1.""",
    ).tag(config=True)

    @default("ip")
    def _default_ip(self) -> str:
        if os.environ.get("CODERUNNER_GRADER_IP"):
            return os.environ["CODERUNNER_GRADER_IP"]
        url = os.environ.get("JUPYTERHUB_SERVICE_URL")
        return (urlparse(url).hostname or "127.0.0.1") if url else "127.0.0.1"

    port = Integer(
        help="""Port to listen on. Default: $CODERUNNER_GRADER_PORT, else the port of
        $JUPYTERHUB_SERVICE_URL, else 8890.""",
    ).tag(config=True)

    @default("port")
    def _default_port(self) -> int:
        if os.environ.get("CODERUNNER_GRADER_PORT"):
            return int(os.environ["CODERUNNER_GRADER_PORT"])
        url = os.environ.get("JUPYTERHUB_SERVICE_URL")
        return (urlparse(url).port or 8890) if url else 8890

    service_prefix = Unicode(
        help="""URL prefix the hub's proxy uses for this service; the API answers both under
        it and at the root of its own port. Default: $JUPYTERHUB_SERVICE_PREFIX, else
        /services/grader/.""",
    ).tag(config=True)

    @default("service_prefix")
    def _default_prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/grader/")

    content_dir = Unicode(
        help="""Folder holding the problems (tracks/levels/problems).
        Default: $CODERUNNER_CONTENT_DIR, else content (in the working directory).""",
    ).tag(config=True)

    @default("content_dir")
    def _default_content(self) -> str:
        return os.environ.get("CODERUNNER_CONTENT_DIR", "content")

    level_locks = Bool(
        help="""Whether later levels stay locked until a learner solves enough of the
        level before (each level's unlock_threshold). A locked problem cannot be opened
        or submitted (403, with the unlock rule); teachers, admins, graders and open
        assessments are exempt. Switch off for open practice.
        Default: $CODERUNNER_LEVEL_LOCKS (0 or 1), else on.""",
    ).tag(config=True)

    @default("level_locks")
    def _default_level_locks(self) -> bool:
        return os.environ.get("CODERUNNER_LEVEL_LOCKS", "1").strip().lower() not in (
            "0",
            "false",
            "no",
            "off",
        )

    privacy_notice_file = Unicode(
        help="""The school's privacy notice (Markdown, UTF-8, at most 64 KiB): what is kept
        about learners, for how long, and who sees it, in words children understand.
        Learners see it when they first open JupyterLab and accept it; a changed text is
        shown again. Default: $CODERUNNER_PRIVACY_NOTICE, else the notice that ships with
        Code Runner (grading_service/privacy_notice.md).""",
    ).tag(config=True)

    @default("privacy_notice_file")
    def _default_privacy_notice(self) -> str:
        return os.environ.get("CODERUNNER_PRIVACY_NOTICE", str(DEFAULT_NOTICE))

    mongodb_uri = Unicode(
        help="""MongoDB connection string; the service refuses to start without one.
        Default: $MONGODB_URI, else none.""",
    ).tag(config=True)

    @default("mongodb_uri")
    def _default_mongo(self) -> str:
        return os.environ.get("MONGODB_URI", "")

    mongodb_database = Unicode(
        help="""Database holding submissions and progress.
        Default: $CODERUNNER_DB, else coderunner.""",
    ).tag(config=True)

    @default("mongodb_database")
    def _default_db(self) -> str:
        return os.environ.get("CODERUNNER_DB", "coderunner")

    mongodb_timeout_seconds = Float(
        5.0,
        help="""How long one MongoDB operation may take, in seconds, including finding a
        usable server (PyMongo's timeoutMS and serverSelectionTimeoutMS). While MongoDB is
        unreachable or frozen, a request that needs it waits this long before its 503;
        lower it to fail faster, raise it to ride out a replica-set election.""",
    ).tag(config=True)

    redis_url = Unicode(
        help="""Redis URL; the service refuses to start without one.
        Default: $REDIS_URL, else none.""",
    ).tag(config=True)

    @default("redis_url")
    def _default_redis(self) -> str:
        return os.environ.get("REDIS_URL", "")

    queue_stream = Unicode(
        help="""Redis stream holding jobs; services sharing a stream share the work.
        Default: $CODERUNNER_STREAM, else coderunner:jobs.""",
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
        help="""Deprecated: use Retention.verdict_retention_days (set here and not there,
        it is passed on). Days a submission is kept.""",
    ).tag(config=True)

    max_wait_seconds = Float(
        30.0,
        help="""Longest long poll, in seconds: GET /api/submissions/<id>?wait=N answers
        after at most this long, with or without a verdict. Keep it below the request
        timeouts of the proxy and of clients.""",
    ).tag(config=True)

    shutdown_grace_seconds = Float(
        60.0,
        help="""On SIGTERM the service drains: it stops accepting connections, answers
        requests on open connections with 503 and Retry-After, stops taking jobs, and
        gives the jobs in flight this long, in seconds, to finish and be acknowledged;
        then long polls answer with the state they have and requests in flight get up
        to 10 s more. A job still running after the grace is left unacknowledged and is
        claimed by another replica after WorkerPool.visibility_timeout_seconds. Keep it
        above the longest time limit plus a sandbox start, and below the stop timeout
        of whatever sends SIGTERM (systemd's TimeoutStopSec, JupyterHub's).""",
    ).tag(config=True)

    executor_threads = Integer(
        32,
        help="""Threads for blocking calls (the Docker SDK): every worker's sandbox starts,
        inspections and removals and the pool's refills share them. Python's default
        (cores + 4) is too small for several workers plus pool refills; raise it with
        WorkerPool.concurrency and SandboxPool.size.""",
    ).tag(config=True)

    hub_cache_seconds = Integer(
        None,
        allow_none=True,
        help="Deprecated: use HubAuth.cache_max_age (set here, it is passed on).",
    ).tag(config=True)

    @observe("hub_cache_seconds")
    def _hub_cache_seconds_moved(self, change: dict) -> None:
        if change["new"] is not None:
            self.log.warning(
                "GradingService.hub_cache_seconds is deprecated; use HubAuth.cache_max_age instead"
            )

    def init_retention(self) -> Retention:
        """The retention periods, ``c.Retention.*``; a configured (deprecated)
        ``GradingService.submission_retention_days`` is passed on as the verdicts'."""
        settings = {}
        if (
            "submission_retention_days" in self.config.GradingService
            and "verdict_retention_days" not in self.config.Retention
        ):
            self.log.warning(
                "GradingService.submission_retention_days is deprecated; use "
                "Retention.verdict_retention_days instead"
            )
            settings["verdict_retention_days"] = self.submission_retention_days
        return Retention(parent=self, **settings)

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

    def load_config(self) -> None:
        """Read the config file, if any; options from the command line keep priority."""
        path = Path(self.config_file)
        if not path.is_file():
            if self.config_file != DEFAULT_CONFIG_FILE:
                raise ConfigError(f"config file {self.config_file!r} does not exist")
            return
        try:
            self.load_config_file(str(path.resolve()))
        except Exception as exc:  # noqa: BLE001 - any error in the user's Python file
            raise ConfigError(
                f"config file {self.config_file}: {type(exc).__name__}: {exc}"
            ) from exc

    def init_logging(self) -> None:
        file_handler = None
        if self.log_file:
            try:
                file_handler = log_file_handler(
                    self.log_file,
                    max_bytes=self.log_max_bytes,
                    backup_count=self.log_backup_count,
                    max_age_days=self.log_max_age_days,
                )
            except (OSError, ValueError) as exc:
                raise ConfigError(f"log file {self.log_file!r}: {exc}") from None
        # traitlets made level names numbers
        init_json_logging(self.log, cast(int, self.log_level), file_handler)

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        if self.extra_args:
            raise ConfigError(f"unexpected arguments: {' '.join(self.extra_args)}")
        if self.generate_config:
            return
        self.load_config()
        self.init_logging()
        self.validate()
        try:
            self.content = ContentStore(Path(self.content_dir))
        except ContentError as exc:
            raise ConfigError(f"content: {exc}") from None
        try:
            self.privacy_notice = PrivacyNotice.load(self.privacy_notice_file)
        except NoticeError as exc:
            raise ConfigError(str(exc)) from None
        prefix = "/" + self.service_prefix.strip("/") + "/"
        self.hub_auth = self.init_hub_auth()
        try:
            self.monitoring_access = MonitoringAccess(parent=self)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"metrics access: {exc}") from None
        self.drain = Drain()
        self.oauth = self.init_oauth()
        self.tokens = TokenConfig(parent=self)
        try:
            # The previous keys too (a rotation window, docs/secrets.md): checked now, and
            # kept by self.tokens for verifying tokens that name them.
            key = self.tokens.load_keys().current
        except SecretError as exc:
            raise ConfigError(f"JWT secret: {exc}") from None
        self.identity = Identities(HubIdentity(self.hub_auth, parent=self), self.tokens, key)
        self.storage = Storage(
            self.mongodb_uri,
            self.mongodb_database,
            timeout_ms=int(self.mongodb_timeout_seconds * 1000),
        )
        self.retention = self.init_retention()
        self.redis = redis.from_url(
            self.redis_url,
            decode_responses=True,
            socket_connect_timeout=5,
            health_check_interval=30,
        )
        self.queue = JobQueue(self.redis, stream=self.queue_stream)
        self.admission = Admission(self.redis, self.queue, parent=self)
        self.request_limits = RequestLimits(self.redis, parent=self)
        self.submissions = SubmissionService(
            content=self.content,
            admission=self.admission,
            storage=self.storage,
            queue=self.queue,
            max_code_bytes=self.max_code_bytes,
            max_notebook_bytes=self.max_notebook_bytes,
        )
        self.notifier = VerdictNotifier(self.redis, f"{self.queue_stream}:verdicts", parent=self)
        self.sandboxes = SandboxFactory(parent=self)
        self.docker = DockerAvailability(self.sandboxes)
        self.admission.sandboxes_available = self.docker.available
        self.pool = SandboxPool(self.sandboxes, parent=self)
        self.grader = Grader(self.sandboxes, pool=self.pool, parent=self)
        self.workers = WorkerPool(
            parent=self,
            queue=self.queue,
            storage=self.storage,
            grader=self.grader,
            content=self.content,
            notifier=self.notifier,
            docker=self.docker,
        )
        self.web_app = web.Application(
            routes(
                ["/", prefix],
                [
                    *ROUTES,
                    *people.ROUTES,
                    *practice.ROUTES,
                    *privacy.ROUTES,
                    *assessments.ROUTES,
                    *leaderboards.ROUTES,
                    *openapi.ROUTES,
                    *dashboard.ROUTES,
                ],
            ),
            # Signs the dashboard's OAuth state cookies; a restart only means signing in
            # again through the hub (which is silent for someone signed in to the hub).
            cookie_secret=secrets.token_bytes(32),
            service=self,
            # Metrics per route; the access log is BaseHandler.on_finish's.
            log_function=observe_request,
            default_handler_class=NotFoundHandler,
        )
        log_effective_config(self.log, self, __version__)  # one line, secrets redacted

    def init_hub_auth(self) -> HubAuth:
        """JupyterHub's HubAuth, configurable as ``c.HubAuth.*``. Where the config says
        nothing, answers are cached for 60 seconds and a token must carry
        ``access:services!service=$JUPYTERHUB_SERVICE_NAME`` (else ``grader``)."""
        configured = self.config.HubAuth
        settings: dict = {}
        if "cache_max_age" not in configured:
            settings["cache_max_age"] = (
                HUB_CACHE_SECONDS if self.hub_cache_seconds is None else self.hub_cache_seconds
            )
        if "access_scopes" not in configured:
            settings["access_scopes"] = self._access_scopes()
        return HubAuth(parent=self, **settings)

    def init_oauth(self) -> HubOAuth | None:
        """JupyterHub OAuth for the teacher dashboard's pages (None when the service does
        not run under JupyterHub: no JUPYTERHUB_CLIENT_ID, and the dashboard says so)."""
        if not os.environ.get("JUPYTERHUB_CLIENT_ID"):
            return None
        return HubOAuth(parent=self, cache_max_age=self.hub_auth.cache_max_age)

    def _access_scopes(self) -> set[str]:
        name = os.environ.get("JUPYTERHUB_SERVICE_NAME", "grader")
        return {f"access:services!service={name}"}

    async def redis_writable(self) -> None:
        """Raise unless Redis answers and can keep what it is given: a Redis whose disk
        is full still answers pings, but refuses every write."""
        info = await self.redis.info("persistence")
        if info.get("aof_enabled") and info.get("aof_last_write_status", "ok") != "ok":
            raise RuntimeError("Redis cannot write its append-only file (is its disk full?)")
        if info.get("rdb_last_bgsave_status", "ok") != "ok":
            raise RuntimeError("Redis cannot save its snapshot (is its disk full?)")

    async def check_dependencies(self) -> dict[str, str]:
        async def check(coro) -> str:  # noqa: ANN001
            try:
                await asyncio.wait_for(coro, 3)
                return "ok"
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                return f"error: {type(exc).__name__}: {str(exc)[:200]}"

        redis_state, mongo_state, docker_state = await asyncio.gather(
            check(self.redis_writable()), check(self.storage.ping()), check(self.sandboxes.ping())
        )
        if docker_state == "ok":
            docker_state = await check(self.sandboxes.check_image())
        return {"redis": redis_state, "mongodb": mongo_state, "docker": docker_state}

    async def start_serving(self) -> HTTPServer:
        """Prepare storage and queue, start workers, listen. Returns the HTTP server."""
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=self.executor_threads, thread_name_prefix="coderunner")
        )
        try:  # before the indexes: a migration may change what they index
            await migrations.migrate(self.storage.db, log=self.log)
        except migrations.SchemaTooNew as exc:  # written by a newer release: leave it be
            raise ConfigError(str(exc)) from None
        await self.storage.ensure_indexes(self.retention.verdict_retention_days * 86400)
        await self.queue.ensure_group()
        await self.sync_content_assessments()
        removed = await self.sandboxes.remove_all()
        if removed:
            self.log.info("removed %d sandboxes left from an earlier run", removed)
        try:  # a sandbox runtime Docker does not know is a mistake in the configuration
            await self.sandboxes.check_runtime()
        except SandboxError as exc:
            raise ConfigError(str(exc)) from None
        await self.notifier.start()
        await self.pool.start()
        self.sweep_task = asyncio.get_running_loop().create_task(self.sandboxes.sweep_forever())
        await self.grader.start()
        await self.workers.start()
        self.purge_task = asyncio.get_running_loop().create_task(
            self.retention.run_periodically(self.storage.db), name="retention-purge"
        )
        self.http_server = HTTPServer(
            self.web_app, max_body_size=self.max_notebook_bytes * 4, xheaders=True
        )
        self.http_server.listen(self.port, self.ip)
        self.log.info(
            "grading service listening on http://%s:%d%s", self.ip, self.port, self.service_prefix
        )
        return self.http_server

    async def sync_content_assessments(self) -> None:
        """Assessments defined in the content folder's ``assessments.json``."""
        docs = [a.as_doc() for a in self.content.assessments]
        for clash in await self.storage.sync_assessments(docs):
            self.log.warning(
                "assessment %r in the content folder has the id of one made on the "
                "dashboard; the dashboard's is kept",
                clash,
            )

    def reload_content(self) -> None:
        """Load the content folder again (SIGHUP); keep the old content if it is broken."""
        try:
            self.content.reload()
        except ContentError as exc:
            self.log.error("content reload failed, keeping the loaded content: %s", exc)
            return
        self.log.info("content reloaded: %d problems", len(self.content.problems))
        task = asyncio.get_running_loop().create_task(self.sync_content_assessments())
        self._background: set[asyncio.Task] = getattr(self, "_background", set())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def shutdown(self) -> None:
        """Drain (``docs/upgrade.md``): stop accepting connections and answer requests on
        open ones with 503 and Retry-After; stop reading the queue and let the jobs in
        flight finish, store their verdicts and ack; then answer long polls and wait for
        the requests in flight; then remove our sandboxes and close clients."""
        self.log.info("shutting down: no new requests, finishing jobs in flight")
        started = asyncio.get_running_loop().time()
        self.drain.begin()
        server = getattr(self, "http_server", None)
        if server:
            server.stop()
        await self.workers.stop(grace_seconds=self.shutdown_grace_seconds)
        self.drain.release_polls()
        if not await self.drain.wait_idle(10.0):
            self.log.warning("%d requests still in flight; closing them", self.drain.requests)
        if server:
            try:  # a connection whose handler never ends must not hold the stop
                await asyncio.wait_for(server.close_all_connections(), 5.0)
            except TimeoutError:
                self.log.warning("connections still open after 5 s; stopping anyway")
        self.log.info("drained in %.1f s", asyncio.get_running_loop().time() - started)
        if getattr(self, "purge_task", None):
            self.purge_task.cancel()
            # Bounded: a database call cut short by the cancel must not hold the stop.
            await asyncio.wait({self.purge_task}, timeout=5.0)
        if getattr(self, "sweep_task", None):
            self.sweep_task.cancel()
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
        if self.generate_config:
            print(self.generate_config_file())
            return
        asyncio.run(self.serve())


def main(argv: list[str] | None = None) -> None:
    app = GradingService()
    try:
        app.initialize(argv)
    except ConfigError as exc:
        print(f"coderunner grader: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    try:
        app.start()
    except ConfigError as exc:  # found at start, e.g. an unknown sandbox runtime
        print(f"coderunner grader: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
