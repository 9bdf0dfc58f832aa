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


async def test_a_refusal_of_ours_is_one_warning_not_an_unhandled_error(make_service, capfd) -> None:
    """A class over the limit meets hundreds of busy 503s: each is logged as one line
    with its reason, never as an error with a traceback."""
    app = await make_service(Admission__max_queue_depth=1, WorkerPool__concurrency=0)
    for n in range(2):
        code, body, headers = await call(
            app, "POST", "/api/submissions", {"problem_id": "add-two", "code": f"x = {n}\n"}
        )
    assert code == 503 and int(headers["Retry-After"]) > 0
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    mine = [r for r in lines if r.get("request_id") == body["request_id"]]
    assert not [r for r in mine if r["level"] == "error" or "exc" in r], mine
    refused = [r for r in mine if r["msg"].startswith("refused with 503")]
    assert refused and refused[0]["reason"] == "backpressure" and refused[0]["level"] == "warning"
