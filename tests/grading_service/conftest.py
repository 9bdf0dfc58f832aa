"""The grading service in-process against real Redis, MongoDB-protocol server and Docker.

Only the hub's answer about tokens is faked: ``<name>-token`` belongs to ``<name>``, and
``teacher-token`` to a member of the ``teachers`` group.
"""

from __future__ import annotations

import secrets

import pytest
from traitlets.config import Config

from grading_service.app import GradingService
from grading_service.edge.auth import AuthError, token_from_header
from hub_config.devstack import free_port
from hub_config.settings import ROOT

from ..conftest import new_instance

JWT_SECRET = secrets.token_hex(32)


class FakeIdentity:
    async def user_for(self, authorization: str | None) -> dict:
        token = token_from_header(authorization) or ""
        if token.endswith("-token") and token != "stolen-token":
            name = token.removesuffix("-token")
            groups = ["teachers"] if name == "teacher" else ["class-a"]
            return {"name": name, "kind": "user", "scopes": [], "groups": groups}
        raise AuthError(401, "Invalid or expired token.")


@pytest.fixture
async def make_service(backing_services, sandbox_image, monkeypatch):
    """Start grading services with extra traitlets config; all are shut down afterwards."""
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "unused")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", JWT_SECRET)
    started = []

    async def make(redis_url: str | None = None, **settings) -> GradingService:
        config = Config()
        config.SandboxFactory.image = sandbox_image
        config.SandboxFactory.instance_name = new_instance()
        config.WorkerPool.visibility_timeout_seconds = 2.0
        config.SandboxPool.size = 1
        config.Admission.key_prefix = f"t{secrets.token_hex(4)}"
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
        app = GradingService(config=config, **options)
        app.initialize([])
        app.identity.hub = FakeIdentity()  # JWTs are still checked for real
        await app.start_serving()
        app.base = f"http://127.0.0.1:{app.port}"
        started.append(app)
        return app

    yield make
    for app in started:
        try:
            await app.shutdown()
        except Exception:  # noqa: BLE001 - a test may have stopped its Redis on purpose
            pass
