"""Database latency: a PyMongo command listener timing every MongoDB command.

Registered on the service's client (``AsyncMongoClient(..., event_listeners=
[DatabaseLatency()])`` in ``grading_service/storage.py``). The driver measures each
command from sending it to its reply (``duration_micros``) and calls the listener on
success and failure; a command that timed out counts with outcome ``error``. Labels are
the command's name (``find``, ``insert``, ``update``, ``aggregate`` ...: a short list
the driver and our code decide, never user data) and the outcome.
"""

from __future__ import annotations

import re

from pymongo import monitoring

from .. import metrics

_COMMAND_NAME = re.compile(r"[A-Za-z]{1,40}")


def command_label(name: str) -> str:
    return name if _COMMAND_NAME.fullmatch(name) else "other"


class DatabaseLatency(monitoring.CommandListener):
    """Observes ``coderunner_db_command_duration_seconds`` for each command."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass  # the finished event carries the duration

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        metrics.DB_COMMAND_SECONDS.labels(command_label(event.command_name), "ok").observe(
            event.duration_micros / 1e6
        )

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        metrics.DB_COMMAND_SECONDS.labels(command_label(event.command_name), "error").observe(
            event.duration_micros / 1e6
        )
