"""JSON-lines logging with request id, submission id and user when known: one stream
for the application's own logger, the service's modules, tornado and the libraries."""

from __future__ import annotations

import json
import logging
import sys
import time

CONTEXT_FIELDS = ("request_id", "submission_id", "user", "status", "duration_ms", "verdict")


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


def init_json_logging(app_log: logging.Logger, level: int) -> None:
    """One JSON stream on stderr for everything the service logs.

    As JupyterHub's ``init_logging``: the application's own logger carries the handler
    (traitlets created it with ``JSONFormatter``, the application's
    ``_log_formatter_cls``), and the service's module loggers (``coderunner.*``) and
    tornado's become its children, so ``--log-level`` applies to all of them. Libraries
    (PyMongo, redis-py, asyncio) reach the same handler through the root logger.
    """
    if not app_log.handlers:  # the application's logger was not set up by traitlets
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JSONFormatter())
        app_log.addHandler(handler)
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
