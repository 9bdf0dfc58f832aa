"""Deployment settings read from the environment, shared by the hub config and devstack.

Every value has an environment variable so that ``make demo``, the tests and a real
deployment use the same ``jupyterhub_config.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass
class HubSettings:
    state_dir: Path = field(
        default_factory=lambda: Path(_env("CODERUNNER_STATE_DIR", str(ROOT / ".state")))
    )
    public_ip: str = field(default_factory=lambda: _env("CODERUNNER_PUBLIC_IP", "127.0.0.1"))
    public_port: int = field(default_factory=lambda: int(_env("CODERUNNER_PUBLIC_PORT", "8000")))
    proxy_api_port: int = field(
        default_factory=lambda: int(_env("CODERUNNER_PROXY_API_PORT", "8001"))
    )
    hub_port: int = field(default_factory=lambda: int(_env("CODERUNNER_HUB_PORT", "8081")))
    grader_port: int = field(default_factory=lambda: int(_env("CODERUNNER_GRADER_PORT", "8890")))
    network: str = field(default_factory=lambda: _env("CODERUNNER_NETWORK", "coderunner-learners"))
    gateway_ip: str = field(default_factory=lambda: _env("CODERUNNER_GATEWAY_IP"))
    image: str = field(
        default_factory=lambda: _env("CODERUNNER_SANDBOX_IMAGE", "coderunner-sandbox:latest")
    )
    content_dir: str = field(
        default_factory=lambda: _env("CODERUNNER_CONTENT_DIR", str(ROOT / "content"))
    )
    mongodb_uri: str = field(default_factory=lambda: _env("MONGODB_URI"))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL"))
    admin_token: str = field(default_factory=lambda: _env("CODERUNNER_ADMIN_TOKEN"))
    jwt_secret: str = field(default_factory=lambda: _env("CODERUNNER_JWT_SECRET"))
    demo_password: str = field(default_factory=lambda: _env("CODERUNNER_DEMO_PASSWORD"))
    instance: str = field(default_factory=lambda: _env("CODERUNNER_INSTANCE", "default"))
    proxy_command: str = field(default_factory=lambda: _env("CODERUNNER_PROXY_COMMAND"))
    learner_mem_limit: str = field(default_factory=lambda: _env("CODERUNNER_LEARNER_MEM", "1G"))
    learner_cpu_limit: float = field(
        default_factory=lambda: float(_env("CODERUNNER_LEARNER_CPUS", "1.0"))
    )

    @property
    def grader_url(self) -> str:
        return f"http://{self.gateway_ip}:{self.grader_port}"


DEMO_LEARNERS = ("learner1", "learner2")
DEMO_TEACHERS = ("teacher1",)
DEMO_GROUP = "demo-class"
