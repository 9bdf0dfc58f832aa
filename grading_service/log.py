"""JSON-lines logging with request id, submission id and user when known: one stream
for the application's own logger, the service's modules, tornado and the libraries.

Also: the level from ``$CODERUNNER_LOG_LEVEL``; an optional log file that rotates by
size and daily and drops files older than a given age (``SizeAndAgeRotatingFileHandler``);
and the effective configuration at start as one line, secrets redacted
(``effective_config``, ``redact``). The hub uses ``JSONFormatter`` too
(``hub_config/jupyterhub_config.py``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Mapping
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

CONTEXT_FIELDS = (
    "request_id",
    "submission_id",
    "user",
    "status",
    "duration_ms",
    "verdict",
    "reason",
    "version",
    "config",
)
LOG_LEVEL_ENV = "CODERUNNER_LOG_LEVEL"
LEVEL_NAMES = ("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# Module loggers of the service, and tornado's, hang under the application's own logger.
APP_CHILD_LOGGERS = ("coderunner", "tornado")


def init_json_logging(
    app_log: logging.Logger, level: int, file_handler: logging.Handler | None = None
) -> None:
    """One JSON stream on stderr for everything the service logs.

    As JupyterHub's ``init_logging``: the application's own logger carries the handler
    (traitlets created it with ``JSONFormatter``, the application's
    ``_log_formatter_cls``), and the service's module loggers (``coderunner.*``) and
    tornado's become its children, so ``--log-level`` applies to all of them. Libraries
    (PyMongo, redis-py, asyncio) reach the same handler through the root logger.
    ``file_handler`` (from ``log_file_handler``), if any, gets every line as well.
    """
    if not app_log.handlers:  # the application's logger was not set up by traitlets
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JSONFormatter())
        app_log.addHandler(handler)
    if file_handler is not None:
        for old in [h for h in app_log.handlers if isinstance(h, logging.FileHandler)]:
            app_log.removeHandler(old)  # initialised again: one file, the new one
            old.close()
        app_log.addHandler(file_handler)
    app_log.propagate = False  # it has the handler; the root logger would print it twice
    app_log.setLevel(level)
    for name in APP_CHILD_LOGGERS:
        logger = logging.getLogger(name)
        logger.parent = app_log
        logger.propagate = True
        logger.setLevel(logging.NOTSET)  # the application's level decides
    root = logging.getLogger()
    root.handlers[:] = list(app_log.handlers)
    root.setLevel(level)


# --- level ---------------------------------------------------------------------------------


def parse_level(value: str | int) -> int:
    """A logging level from a name (``debug``, ``INFO``, ``warn``...) or a number."""
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    if text.upper() in LEVEL_NAMES:
        return logging.getLevelName("WARNING" if text.upper() == "WARN" else text.upper())
    raise ValueError(
        f"{text!r} is not a log level: use one of {', '.join(LEVEL_NAMES)} or a number."
    )


def level_from_env(default: int = logging.INFO, environ: Mapping[str, str] | None = None) -> int:
    """The level in ``$CODERUNNER_LOG_LEVEL``, else ``default``; ValueError if unusable."""
    value = (os.environ if environ is None else environ).get(LOG_LEVEL_ENV, "").strip()
    if not value:
        return default
    try:
        return parse_level(value)
    except ValueError as exc:
        raise ValueError(f"{LOG_LEVEL_ENV}: {exc}") from None


# --- files ---------------------------------------------------------------------------------

DAY_SECONDS = 86400


class SizeAndAgeRotatingFileHandler(RotatingFileHandler):
    """A log file that rotates when it reaches ``max_bytes`` and at least once every
    ``rotate_seconds`` (a day), keeps at most ``backup_count`` rotated files
    (``name.1`` the newest), and deletes rotated files whose last line is older than
    ``max_age_seconds``. So no line outlives ``max_age_seconds`` by more than a day,
    and the files never hold more than about ``max_bytes * (backup_count + 1)``.

    A start that finds a non-empty file rotates it first, so the clock of the current
    file starts with its first line. One process per file: two services writing the
    same file would rotate it under each other, so give each its own ``log_file``.
    """

    def __init__(
        self,
        filename: str | os.PathLike[str],
        *,
        max_bytes: int,
        backup_count: int,
        max_age_seconds: float,
        rotate_seconds: float = DAY_SECONDS,
    ) -> None:
        if max_bytes <= 0 or backup_count < 1 or max_age_seconds <= 0 or rotate_seconds <= 0:
            raise ValueError(
                "log files need max_bytes > 0, backup_count >= 1, max_age > 0 and "
                "rotate_seconds > 0"
            )
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            filename, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
        )
        self.max_age_seconds = max_age_seconds
        self.rotate_seconds = rotate_seconds
        self.rollover_at = time.time() + rotate_seconds
        if os.path.exists(self.baseFilename) and os.path.getsize(self.baseFilename) > 0:
            self.doRollover()
        else:
            self.delete_old_files()

    def shouldRollover(self, record: logging.LogRecord) -> int:  # noqa: N802 - logging's name
        if time.time() >= self.rollover_at:
            return 1
        return super().shouldRollover(record)

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        super().doRollover()
        self.rollover_at = time.time() + self.rotate_seconds
        self.delete_old_files()

    def rotated_files(self) -> list[Path]:
        base = Path(self.baseFilename)
        pattern = re.compile(re.escape(base.name) + r"\.\d+")
        return sorted(p for p in base.parent.iterdir() if pattern.fullmatch(p.name))

    def delete_old_files(self) -> list[Path]:
        """Delete rotated files last written more than max_age_seconds ago."""
        cutoff = time.time() - self.max_age_seconds
        deleted = []
        for path in self.rotated_files():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted.append(path)
            except FileNotFoundError:
                continue
        return deleted


def log_file_handler(
    path: str, *, max_bytes: int, backup_count: int, max_age_days: float
) -> SizeAndAgeRotatingFileHandler:
    """The service's JSON log file: rotated daily and by size, kept ``max_age_days``."""
    handler = SizeAndAgeRotatingFileHandler(
        path,
        max_bytes=max_bytes,
        backup_count=backup_count,
        max_age_seconds=max_age_days * DAY_SECONDS,
    )
    handler.setFormatter(JSONFormatter())
    return handler


# --- effective configuration, redacted ------------------------------------------------------

REDACTED = "***"
# Names of settings and variables whose values are secret.
SECRET_NAME = re.compile(
    r"secret|token|passw|pwd|credential|private|(^|[_.\-])key($|[_.\-]|s$|file)|apikey|api_key",
    re.IGNORECASE,
)
# user:password@ in a URL (mongodb://, mongodb+srv://, redis://, rediss://, http://...).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*):[^/?#\s]*@")
# ?password=... in a URL's query.
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&][^=&#\s]*(?:secret|token|passw|key)[^=&#\s]*=)[^&#\s]*", re.IGNORECASE
)
# Environment variables worth showing with the configuration.
ENV_PREFIXES = ("CODERUNNER_", "JUPYTERHUB_")
ENV_NAMES = ("MONGODB_URI", "REDIS_URL")


def redact_text(text: str) -> str:
    """``text`` with passwords in URLs (``mongodb://user:***@host``) masked."""
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + ":" + REDACTED + "@", text)
    return _QUERY_SECRET.sub(lambda m: m.group("head") + REDACTED, text)


def redact(value: Any, name: str = "") -> Any:
    """``value`` safe to log: everything under a secret-looking ``name`` (secret, token,
    password, key...) becomes ``***`` unless empty, and credentials in URLs are masked,
    in nested dicts and lists too."""
    if name and SECRET_NAME.search(name) and value not in (None, "", [], {}, ()):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [redact(v) for v in items]
    if isinstance(value, str):
        return redact_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact_text(str(value))


def effective_config(app: Any, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every configurable option of ``app`` and of the components it holds (found by
    walking its attributes), as ``{"Class": {"option": value}}``, plus the environment
    variables the service reads (``env``); secrets redacted."""
    from traitlets.config import Configurable

    config: dict[str, Any] = {}
    seen: set[int] = set()
    queue: list[tuple[Any, int]] = [(app, 0)]
    while queue:
        obj, depth = queue.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Configurable):
            options = config.setdefault(type(obj).__name__, {})
            for trait in sorted(obj.trait_names(config=True)):
                try:
                    options[trait] = redact(getattr(obj, trait), trait)
                except Exception as exc:  # noqa: BLE001 - a default that cannot be computed
                    options[trait] = f"<unavailable: {type(exc).__name__}>"
        if depth >= 3:
            continue
        for attr, child in sorted(vars(obj).items()):
            if attr in ("parent", "config") or attr.startswith("_"):
                continue
            ours = type(child).__module__.startswith("grading_service.")
            if isinstance(child, Configurable) or ours:
                queue.append((child, depth + 1))
    env = os.environ if environ is None else environ
    config["env"] = {
        name: redact(env[name], name)
        for name in sorted(env)
        if name.startswith(ENV_PREFIXES) or name in ENV_NAMES
    }
    return config


def log_effective_config(log: logging.Logger, app: Any, version: str) -> None:
    """One JSON line at start: what this process runs with (secrets redacted)."""
    log.info("effective configuration", extra={"version": version, "config": effective_config(app)})
