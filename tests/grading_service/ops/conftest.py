"""Fixtures for backups and migrations: new databases on the session's real
MongoDB-protocol server."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from grading_service.storage import Storage


@pytest.fixture
async def make_storage(mongodb_server) -> AsyncIterator[Callable[[], Storage]]:
    """``make_storage()``: a ``Storage`` on a new, empty database of its own; all are
    dropped afterwards."""
    made: list[Storage] = []

    def make() -> Storage:
        storage = Storage(mongodb_server.mongodb_uri, f"test_{secrets.token_hex(4)}")
        made.append(storage)
        return storage

    yield make
    for storage in made:
        await storage.client.drop_database(storage.db.name)
        await storage.close()


@pytest.fixture
def command_database(mongodb_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """For the ``coderunner`` ops commands: run in ``tmp_path`` (no
    coderunner_grader_config.py unless a test writes one) against the session's MongoDB
    server. ``use(name)`` points them at database ``name`` and returns the server's URI."""

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONGODB_URI", mongodb_server.mongodb_uri)

    def use(name: str) -> str:
        monkeypatch.setenv("CODERUNNER_DB", name)
        return mongodb_server.mongodb_uri

    return use
