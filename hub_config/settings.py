"""Deployment settings read from the environment, shared by the hub config and devstack.

Every value has an environment variable so that ``make demo``, the tests and a real
deployment use the same ``jupyterhub_config.py``.
"""

from __future__ import annotations

import os
import re
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
    # HTTPS on the public port: a certificate (chain) and its key, both PEM files.
    ssl_cert: str = field(default_factory=lambda: _env("CODERUNNER_SSL_CERT"))
    ssl_key: str = field(default_factory=lambda: _env("CODERUNNER_SSL_KEY"))
    # Sign-in outside demo mode: "native" (sign-up with admin approval) or "lti13" (an
    # LMS launches Code Runner; see hub_config/lti.py for its settings).
    auth: str = field(default_factory=lambda: _env("CODERUNNER_AUTH", "native"))
    # Demo mode: the demo users and their shared password. Never for real learners.
    demo: bool = field(default_factory=lambda: _env("CODERUNNER_DEMO") == "1")
    # Hub users who administer it (approve sign-ups, manage cohorts), comma separated.
    admin_users: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            u.strip() for u in _env("CODERUNNER_ADMIN_USERS").split(",") if u.strip()
        )
    )
    # Cohorts (JupyterHub groups) that have teachers: each gets a "<cohort>-teachers"
    # group and a teacher role (hub_config/roles.py). Comma separated, lower case.
    cohorts: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            c.strip() for c in _env("CODERUNNER_COHORTS").split(",") if c.strip()
        )
    )
    instance: str = field(default_factory=lambda: _env("CODERUNNER_INSTANCE", "default"))
    # Log level of the hub and the grading service: DEBUG, INFO, WARNING, ERROR.
    log_level: str = field(default_factory=lambda: _env("CODERUNNER_LOG_LEVEL", "INFO"))
    # A file the hub also writes its JSON log to, rotated by size and age (empty: none;
    # under systemd, journald already rotates what the hub prints).
    hub_log_file: str = field(default_factory=lambda: _env("CODERUNNER_HUB_LOG_FILE"))
    proxy_command: str = field(default_factory=lambda: _env("CODERUNNER_PROXY_COMMAND"))
    learner_mem_limit: str = field(default_factory=lambda: _env("CODERUNNER_LEARNER_MEM", "1G"))
    learner_cpu_limit: float = field(
        default_factory=lambda: float(_env("CODERUNNER_LEARNER_CPUS", "1.0"))
    )
    learner_pids_limit: int = field(
        default_factory=lambda: int(_env("CODERUNNER_LEARNER_PIDS", "512"))
    )
    learner_tmp_size: str = field(default_factory=lambda: _env("CODERUNNER_LEARNER_TMP", "256m"))
    # What a learner's home may hold, and the largest file they may save or upload, in MB
    # (kept by the server extension; extension/space.py). 0: no cap.
    learner_home_quota_mb: float = field(
        default_factory=lambda: float(_env("CODERUNNER_LEARNER_HOME_QUOTA_MB", "500"))
    )
    learner_max_upload_mb: float = field(
        default_factory=lambda: float(_env("CODERUNNER_LEARNER_MAX_UPLOAD_MB", "50"))
    )
    # Learner servers starting at once. A server takes seconds of CPU to start, so a
    # class arriving together on a small machine would all miss the start timeout; the
    # hub answers the rest "too many users starting, try again" (429 with Retry-After)
    # instead. Default: 5 per CPU core, at least 10. 0: no limit.
    concurrent_spawns: int = field(
        default_factory=lambda: int(
            _env("CODERUNNER_CONCURRENT_SPAWNS", str(max(10, 5 * (os.cpu_count() or 1))))
        )
    )
    # Idle learner servers are stopped after this long (their home stays); 0 turns it off.
    cull_timeout_seconds: int = field(
        default_factory=lambda: int(_env("CODERUNNER_CULL_TIMEOUT", "3600"))
    )
    cull_every_seconds: int = field(
        default_factory=lambda: int(_env("CODERUNNER_CULL_EVERY", "300"))
    )
    # The hub refuses to start when the learner image is missing ("0" only for tests
    # that load this configuration without Docker).
    check_image: bool = field(default_factory=lambda: _env("CODERUNNER_CHECK_IMAGE", "1") != "0")

    @property
    def grader_url(self) -> str:
        return f"http://{self.gateway_ip}:{self.grader_port}"

    @property
    def home_volume_template(self) -> str:
        """The Docker volume holding one learner's work (DockerSpawner fills in the name)."""
        return home_volume_prefix(self.instance) + "{username}"


def home_volume_prefix(instance: str) -> str:
    return f"coderunner-{instance}-home-"


def check_secrets(s: HubSettings, environ: dict[str, str] | None = None) -> None:
    """Outside demo mode, refuse to start with a missing or weak secret."""
    from grading_service.edge.tokens import SecretError, validate_secret

    env = os.environ if environ is None else environ
    problems = []
    if s.demo_password and not s.demo:
        problems.append(
            "CODERUNNER_DEMO_PASSWORD is set but CODERUNNER_DEMO=1 is not: the shared demo "
            "password only works in demo mode"
        )
    if not s.demo:
        try:
            validate_secret(s.jwt_secret)
        except SecretError as exc:
            problems.append(f"CODERUNNER_JWT_SECRET: {exc}")
        proxy_token = env.get("CONFIGPROXY_AUTH_TOKEN", "")
        if len(proxy_token) < 32:
            problems.append(
                "CONFIGPROXY_AUTH_TOKEN must be set to 32+ random characters "
                "(e.g. `openssl rand -hex 32`) so the proxy keeps its routes across hub restarts"
            )
        cookie = env.get("JPY_COOKIE_SECRET", "")
        if cookie and len(cookie) < 64:
            problems.append("JPY_COOKIE_SECRET must be 32+ random bytes as hex (64+ characters)")
    if problems:
        raise SystemExit("The hub will not start:\n- " + "\n- ".join(problems))


COHORT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,60}[a-z0-9]$")


def check_cohorts(cohorts: tuple[str, ...]) -> None:
    """Cohort names become role names, which JupyterHub keeps to lower case and digits."""
    bad = [c for c in cohorts if not COHORT_NAME.match(c) or c.endswith("-teachers")]
    if bad:
        raise SystemExit(
            f"CODERUNNER_COHORTS: {', '.join(bad)} cannot be cohort names: use 2-62 lower-case "
            "letters, digits, '-', '_' or '.', not ending in '-teachers'"
        )


def require_image(image: str) -> None:
    """Stop the hub at start when the learner image is missing, saying how to build it."""
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        docker.from_env().images.get(image)
    except ImageNotFound:
        raise SystemExit(
            f"The learner image {image} is missing. Build it with `make image` (it prints "
            "the tag), then set CODERUNNER_SANDBOX_IMAGE to that tag."
        ) from None
    except DockerException as exc:
        raise SystemExit(f"Cannot reach Docker to check the learner image {image}: {exc}") from None


DEMO_LEARNERS = ("learner1", "learner2")
DEMO_TEACHERS = ("teacher1",)
DEMO_GROUP = "demo-class"
