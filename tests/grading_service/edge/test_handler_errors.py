"""What the HTTP handlers (edge/handlers.py) make of a dependency's own exceptions and of
our bugs."""

from __future__ import annotations

import json

from pymongo.errors import ServerSelectionTimeoutError

from ..api import call


async def test_database_down_is_a_503_with_retry_after(make_service, monkeypatch) -> None:
    app = await make_service(WorkerPool__concurrency=0)

    async def down(*args, **kwargs):
        raise ServerSelectionTimeoutError("no primary")

    monkeypatch.setattr(app.storage, "progress_for", down)
    code, body, headers = await call(app, "GET", "/api/progress")
    assert code == 503 and "database" in body["message"]
    assert headers["Retry-After"] == "10"


async def test_an_unexpected_error_is_a_500_logged_with_its_request_id(
    make_service, monkeypatch, capfd
) -> None:
    app = await make_service(WorkerPool__concurrency=0)

    async def bug(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(app.storage, "progress_for", bug)
    code, body, headers = await call(app, "GET", "/api/progress")
    assert code == 500 and body["request_id"] == headers["X-Request-Id"]
    assert "unexpected error" in body["message"] and "oops" not in body["message"]
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    logged = [r for r in lines if r.get("exc") and r.get("request_id") == body["request_id"]]
    assert logged and "KeyError: 'oops'" in logged[0]["exc"]


async def test_an_unknown_address_is_a_json_404(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0)
    for method, path in (
        ("GET", "/api/no-such-thing"),
        ("POST", "/nothing/here"),
        ("GET", "/services/grader/api/nope"),
    ):
        code, body, headers = await call(app, method, path, {} if method == "POST" else None)
        assert code == 404, (method, path)
        assert headers["Content-Type"] == "application/json"
        assert body["status"] == 404 and body["request_id"] == headers["X-Request-Id"]
