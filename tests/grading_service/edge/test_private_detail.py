"""``/metrics`` and the detail of ``/health/ready`` are private (``edge/private.py``):
a metrics token, a hub token with ``read:metrics`` (or Code Runner's admin scope), or
a direct connection from an admin network; everybody else gets 403 from ``/metrics``
and only the status from ``/health/ready``. ``/health`` stays public. A stopping
service answers new work with 503 and Retry-After, and is not ready."""

from __future__ import annotations

from tornado.httpclient import AsyncHTTPClient

from ..api import GOOD_ADD, call

METRICS_TOKEN = "m" * 40


async def get(app, path: str, headers: dict | None = None) -> tuple[int, str]:
    response = await AsyncHTTPClient().fetch(
        f"{app.base}{path}", headers=headers or {}, raise_error=False
    )
    return response.code, response.body.decode()


async def test_anonymous_caller_outside_the_admin_networks_sees_no_detail(make_service) -> None:
    app = await make_service(MonitoringAccess__admin_networks=[])
    code, body = await get(app, "/metrics")
    assert code == 403 and "coderunner_" not in body
    code, ready, _ = await call(app, "GET", "/health/ready", token=None)
    assert code == 200 and ready == {"status": "ok"}
    code, ready, _ = await call(app, "GET", "/services/grader/health/ready", token=None)
    assert code == 200 and ready == {"status": "ok"}
    code, health, _ = await call(app, "GET", "/health", token=None)
    assert code == 200 and health == {"status": "ok"}
    # A learner's hub token is no key either.
    code, body = await get(app, "/metrics", {"Authorization": "token alice-token"})
    assert code == 403 and "coderunner_" not in body
    code, ready, _ = await call(app, "GET", "/health/ready", token="alice-token")
    assert ready == {"status": "ok"}


async def test_metrics_token_opens_metrics_and_readiness_detail(make_service) -> None:
    app = await make_service(
        MonitoringAccess__admin_networks=[], MonitoringAccess__metrics_token=METRICS_TOKEN
    )
    code, body = await get(app, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert code == 200 and "coderunner_ready" in body
    code, ready, _ = await call(app, "GET", "/health/ready", token=METRICS_TOKEN)
    assert code == 200 and ready["checks"]["redis"] == "ok" and "pool" in ready
    code, body = await get(app, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN[:-1]}x"})
    assert code == 403 and "coderunner_" not in body


async def test_hub_token_with_read_metrics_or_admin_scope_opens_metrics(make_service) -> None:
    app = await make_service(MonitoringAccess__admin_networks=[])
    app.hub_auth.user_scopes["prometheus"] = ["read:metrics"]
    app.hub_auth.user_scopes["boss"] = ["custom:coderunner:admin"]
    for who in ("prometheus", "boss"):
        code, body = await get(
            app, "/services/grader/metrics", {"Authorization": f"token {who}-token"}
        )
        assert code == 200 and "coderunner_ready" in body, who
    code, ready, _ = await call(app, "GET", "/health/ready", token="prometheus-token")
    assert "checks" in ready


async def test_direct_caller_from_an_admin_network_sees_detail(make_service) -> None:
    app = await make_service()  # default: loopback only
    code, body = await get(app, "/metrics")
    assert code == 200 and "coderunner_ready" in body
    code, ready, _ = await call(app, "GET", "/health/ready", token=None)
    assert code == 200 and ready["checks"]["mongodb"] == "ok"


async def test_network_rule_ignores_proxied_and_forged_addresses(make_service) -> None:
    """Through the hub's proxy every request comes from the proxy's address (loopback
    here): a request carrying forwarding headers needs a token; and X-Real-Ip cannot
    claim an admin network."""
    app = await make_service(MonitoringAccess__admin_networks=["127.0.0.1/32", "10.0.0.0/8"])
    code, body = await get(app, "/metrics", {"X-Forwarded-For": "203.0.113.9"})
    assert code == 403 and "coderunner_" not in body
    code, body = await get(app, "/metrics", {"X-Real-Ip": "10.1.2.3"})
    assert code == 403
    app = await make_service(MonitoringAccess__admin_networks=["10.0.0.0/8"])
    code, body = await get(app, "/metrics", {"X-Real-Ip": "10.1.2.3"})
    assert code == 403


async def test_a_draining_service_refuses_new_work_with_retry_after(make_service) -> None:
    app = await make_service()
    app.drain.begin()
    code, body, headers = await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    assert code == 503 and int(headers["Retry-After"]) > 0
    assert body["reason"] == "restarting" and body["message"]
    code, ready, _ = await call(app, "GET", "/health/ready", token=None)
    assert code == 503 and ready["status"] == "unavailable" and ready["draining"] is True
    code, _, _ = await call(app, "GET", "/health", token=None)
    assert code == 200
