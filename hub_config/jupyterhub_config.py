"""JupyterHub configuration for Code Runner.

Learners get a DockerSpawner container from the sandbox/kernel image on an internal
Docker network that reaches only the hub and the grading service; the grading service
runs as a hub-managed service at /services/grader/. Settings come from the environment
(see hub_config/settings.py); ``make demo`` and the tests set them.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grading_service.log import parse_level  # noqa: E402
from hub_config import roles as coderunner_roles  # noqa: E402
from hub_config.cohorts import apply_cohort_overrides  # noqa: E402
from hub_config.settings import (  # noqa: E402
    DEMO_GROUP,
    DEMO_LEARNERS,
    DEMO_TEACHERS,
    HubSettings,
    check_cohorts,
    check_secrets,
    require_image,
)

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - given by JupyterHub
s = HubSettings()
cohorts = tuple(dict.fromkeys(s.cohorts + ((DEMO_GROUP,) if s.demo else ())))
if not s.gateway_ip:
    raise SystemExit("CODERUNNER_GATEWAY_IP is not set: the learner network's gateway address")
check_secrets(s)
check_cohorts(s.cohorts)
if s.check_image:
    require_image(s.image)

# --- hub, proxy, state ---------------------------------------------------------------
hub_state = s.state_dir / "hub"
hub_state.mkdir(parents=True, exist_ok=True)
if bool(s.ssl_cert) != bool(s.ssl_key):
    raise SystemExit("Set both CODERUNNER_SSL_CERT and CODERUNNER_SSL_KEY for HTTPS, or neither")
if s.ssl_cert:
    # The proxy serves HTTPS itself; learners' containers still reach the hub and the
    # grader over the internal network.
    c.JupyterHub.ssl_cert = s.ssl_cert
    c.JupyterHub.ssl_key = s.ssl_key
c.JupyterHub.bind_url = f"{'https' if s.ssl_cert else 'http'}://{s.public_ip}:{s.public_port}"
c.JupyterHub.hub_ip = s.gateway_ip  # learner containers and the grader reach the hub here
c.JupyterHub.hub_port = s.hub_port
c.JupyterHub.db_url = f"sqlite:///{hub_state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_state / "jupyterhub_cookie_secret")
# A hub restart (an upgrade, a crash) leaves learners' servers running; the new hub
# finds them again and restores their routes.
c.JupyterHub.cleanup_servers = False
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(hub_state / "proxy.pid")
if s.proxy_command:
    c.ConfigurableHTTPProxy.command = [s.proxy_command]

# --- learner containers ----------------------------------------------------------------
c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = s.image
c.DockerSpawner.network_name = s.network
c.DockerSpawner.use_internal_ip = True
# Containers are throwaway; a learner's work lives in their own named volume, mounted as
# their home, so it survives stop, start, culling, hub restarts and image upgrades.
c.DockerSpawner.remove = True
c.DockerSpawner.name_template = f"coderunner-{s.instance}-{{username}}"
c.DockerSpawner.notebook_dir = "/home/learner"
c.DockerSpawner.volumes = {s.home_volume_template: "/home/learner"}
c.DockerSpawner.mem_limit = s.learner_mem_limit
c.DockerSpawner.cpu_limit = s.learner_cpu_limit
c.DockerSpawner.extra_host_config = {
    "pids_limit": s.learner_pids_limit,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "memswap_limit": s.learner_mem_limit,
    # Only the home volume and a size-capped /tmp are writable; the image runs as uid 1000.
    "read_only": True,
    "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={s.learner_tmp_size}"},
}
c.DockerSpawner.extra_create_kwargs = {
    "labels": {"org.coderunner.role": "learner", "org.coderunner.instance": s.instance}
}
c.DockerSpawner.environment = {
    "CODERUNNER_GRADER_URL": f"{s.grader_url}/services/grader/",
    "CODERUNNER_HOME_QUOTA_MB": f"{s.learner_home_quota_mb:g}",
    "CODERUNNER_MAX_UPLOAD_MB": f"{s.learner_max_upload_mb:g}",
}
# Cohorts (JupyterHub groups) may raise limits through their properties.
c.Spawner.pre_spawn_hook = apply_cohort_overrides
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.JupyterHub.concurrent_spawn_limit = s.concurrent_spawns
# The learner server's token may call the grader as the learner (and nothing more).
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "access:services!service=grader",
]

# --- grading service, managed by the hub -------------------------------------------------
grader_env = {
    "MONGODB_URI": s.mongodb_uri,
    "REDIS_URL": s.redis_url,
    "CODERUNNER_CONTENT_DIR": s.content_dir,
    "CODERUNNER_SANDBOX_IMAGE": s.image,
    "CODERUNNER_INSTANCE": s.instance,
    "CODERUNNER_GRADER_IP": s.gateway_ip,
    "CODERUNNER_GRADER_PORT": str(s.grader_port),
    "CODERUNNER_JWT_SECRET": s.jwt_secret,
}
# gVisor for the grading sandboxes ("runsc"; README, "gVisor (optional)").
if os.environ.get("CODERUNNER_SANDBOX_RUNTIME"):
    grader_env["CODERUNNER_SANDBOX_RUNTIME"] = os.environ["CODERUNNER_SANDBOX_RUNTIME"]
# Passed on when set: a JWT rotation's old secrets (docs/secrets.md), who may read the
# metrics and the readiness detail, and the grader's own log file.
for name in (
    "CODERUNNER_JWT_PREVIOUS_SECRETS",
    "CODERUNNER_JWT_PREVIOUS_SECRETS_FILE",
    "CODERUNNER_METRICS_TOKEN",
    "CODERUNNER_METRICS_TOKEN_FILE",
    "CODERUNNER_ADMIN_NETWORKS",
    "CODERUNNER_LOG_FILE",
):
    if os.environ.get(name):
        grader_env[name] = os.environ[name]
services = [
    {
        "name": "grader",
        "url": s.grader_url,
        "command": [sys.executable, "-m", "grading_service", "grader"],
        "environment": grader_env,
        "cwd": str(s.state_dir),
        # In the hub's Services menu: its root opens the teacher dashboard.
        "display": True,
        "oauth_no_confirm": True,
        # Teachers' and admins' sign-in to the grader's pages carries their Code Runner
        # scopes (each filtered as their roles say).
        "oauth_client_allowed_scopes": list(coderunner_roles.custom_scopes()),
    }
]
roles = [
    # Every user may call the grading service with their own tokens.
    {"name": "user", "scopes": ["self", "access:services!service=grader"]},
    # The grading service looks up users' groups and cohorts (members and settings).
    {
        "name": "grader-service",
        "scopes": ["read:users:groups", "read:users:name", "read:groups", "list:groups"],
        "services": ["grader"],
    },
    # Teachers of each cohort, graders and the grading service's admins.
    *coderunner_roles.roles(list(cohorts), list(s.admin_users)),
]
if s.admin_token:
    services.append({"name": "coderunner-admin", "api_token": s.admin_token, "display": False})
    roles.append(
        {
            "name": "coderunner-admin",
            "description": "Scripts that create users, start servers and mint tokens",
            "scopes": [
                "admin:users",
                "admin:servers",
                "tokens",
                "admin:groups",
                "access:servers",
                "access:services",
                "list:services",
                "read:services",
                # The grader's /metrics and /health/ready detail through the proxy.
                "read:metrics",
            ],
            "services": ["coderunner-admin"],
        }
    )
if s.cull_timeout_seconds > 0:
    # jupyterhub-idle-culler stops servers idle this long; their home volumes stay.
    services.append(
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={s.cull_timeout_seconds}",
                f"--cull-every={s.cull_every_seconds}",
            ],
            "display": False,
        }
    )
    roles.append(
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    )
c.JupyterHub.services = services
c.JupyterHub.custom_scopes = coderunner_roles.custom_scopes()
c.JupyterHub.load_roles = roles
c.JupyterHub.load_groups = coderunner_roles.groups(list(cohorts))

# --- logs: JSON lines, like the grading service's (grading_service/log.py) ---------------
# The level: $CODERUNNER_LOG_LEVEL (default INFO), for the hub and, passed on, the grader.
try:
    c.JupyterHub.log_level = parse_level(s.log_level)
except ValueError as exc:
    raise SystemExit(f"CODERUNNER_LOG_LEVEL: {exc}") from None
grader_env["CODERUNNER_LOG_LEVEL"] = s.log_level
# traitlets' console handler (JupyterHub's own messages, tornado's access log) formats
# with the grader's JSONFormatter instead of the coloured text one.
c.JupyterHub.logging_config = {
    "formatters": {"console": {"class": "grading_service.log.JSONFormatter"}},
}
if s.hub_log_file:
    # Also to a file, rotated at 10 MiB and daily, rotated files kept 30 days at most (as
    # the grader's GradingService.log_file).
    c.JupyterHub.logging_config["handlers"] = {
        "file": {
            "class": "grading_service.log.SizeAndAgeRotatingFileHandler",
            "filename": s.hub_log_file,
            "max_bytes": 10 * 1024 * 1024,
            "backup_count": 30,
            "max_age_seconds": 30 * 86400,
            "formatter": "console",
        }
    }
    c.JupyterHub.logging_config["loggers"] = {"JupyterHub": {"handlers": ["console", "file"]}}

# --- people ----------------------------------------------------------------------------
c.Authenticator.admin_users = set(s.admin_users)
if s.demo:
    if s.auth != "native":
        raise SystemExit(
            f"CODERUNNER_DEMO=1 signs in only the demo users: unset it to use "
            f"CODERUNNER_AUTH={s.auth}"
        )
    # Development only: one shared password for the demo users.
    print(
        "WARNING: demo mode (CODERUNNER_DEMO=1): the demo users share one password. "
        "Never use demo mode with real learners.",
        file=sys.stderr,
    )
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = s.demo_password
    c.Authenticator.allowed_users = set(DEMO_LEARNERS + DEMO_TEACHERS)
    c.JupyterHub.load_groups = {
        **c.JupyterHub.load_groups,
        DEMO_GROUP: {
            "users": list(DEMO_LEARNERS),
            "properties": {"coderunner": {"display_name": "Demo class", "track": "ages-12-14"}},
        },
        coderunner_roles.teachers_group(DEMO_GROUP): {"users": list(DEMO_TEACHERS)},
        "teachers": {"users": list(DEMO_TEACHERS)},  # the grader's priority lane
    }
elif s.auth == "lti13":
    # A school with a learning platform (Moodle, Canvas, ...): it launches Code Runner.
    from hub_config.lti import configure_lti  # noqa: E402

    configure_lti(c)
elif s.auth != "native":
    raise SystemExit(f"CODERUNNER_AUTH={s.auth!r}: choose native or lti13")
else:
    # A school without single sign-on: learners sign up, an admin approves them
    # (hub admin → Authorize users), and repeated wrong passwords lock a name for a while.
    import nativeauthenticator

    from hub_config.native import CodeRunnerNativeAuthenticator

    c.JupyterHub.authenticator_class = CodeRunnerNativeAuthenticator
    c.JupyterHub.template_paths = [str(Path(nativeauthenticator.__file__).parent / "templates")]
    c.NativeAuthenticator.open_signup = False
    # Admin approval is the allow-list: without this JupyterHub 5+ refuses everyone.
    c.Authenticator.allow_all = True
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.allowed_failed_logins = 10
    c.NativeAuthenticator.seconds_before_next_try = 15 * 60
