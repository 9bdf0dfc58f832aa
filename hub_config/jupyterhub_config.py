"""JupyterHub configuration for Code Runner.

Learners get a DockerSpawner container from the sandbox/kernel image on an internal
Docker network that reaches only the hub and the grading service; the grading service
runs as a hub-managed service at /services/grader/. Settings come from the environment
(see hub_config/settings.py); ``make demo`` and the tests set them.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub_config.settings import (  # noqa: E402
    DEMO_GROUP,
    DEMO_LEARNERS,
    DEMO_TEACHERS,
    HubSettings,
)

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - given by JupyterHub
s = HubSettings()
if not s.gateway_ip:
    raise SystemExit("CODERUNNER_GATEWAY_IP is not set: the learner network's gateway address")

# --- hub, proxy, state ---------------------------------------------------------------
hub_state = s.state_dir / "hub"
hub_state.mkdir(parents=True, exist_ok=True)
c.JupyterHub.bind_url = f"http://{s.public_ip}:{s.public_port}"
c.JupyterHub.hub_ip = s.gateway_ip  # learner containers and the grader reach the hub here
c.JupyterHub.hub_port = s.hub_port
c.JupyterHub.db_url = f"sqlite:///{hub_state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_state / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(hub_state / "proxy.pid")
if s.proxy_command:
    c.ConfigurableHTTPProxy.command = [s.proxy_command]

# --- learner containers ----------------------------------------------------------------
c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = s.image
c.DockerSpawner.network_name = s.network
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.remove = True
c.DockerSpawner.name_template = f"coderunner-{s.instance}-{{username}}"
c.DockerSpawner.notebook_dir = "/home/learner"
c.DockerSpawner.mem_limit = s.learner_mem_limit
c.DockerSpawner.cpu_limit = s.learner_cpu_limit
c.DockerSpawner.extra_host_config = {
    "pids_limit": 512,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "memswap_limit": s.learner_mem_limit,
}
c.DockerSpawner.extra_create_kwargs = {
    "labels": {"org.coderunner.role": "learner", "org.coderunner.instance": s.instance}
}
c.DockerSpawner.environment = {
    "CODERUNNER_GRADER_URL": f"{s.grader_url}/services/grader/",
}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
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
services = [
    {
        "name": "grader",
        "url": s.grader_url,
        "command": [sys.executable, "-m", "grading_service", "grader"],
        "environment": grader_env,
        "cwd": str(s.state_dir),
        "display": False,
        "oauth_no_confirm": True,
    }
]
roles = [
    # Every user may call the grading service with their own tokens.
    {"name": "user", "scopes": ["self", "access:services!service=grader"]},
    # The grading service looks up users' groups (quotas, priority lane, cohorts).
    {
        "name": "grader-service",
        "scopes": ["read:users:groups", "read:users:name", "read:groups"],
        "services": ["grader"],
    },
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
            ],
            "services": ["coderunner-admin"],
        }
    )
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

# --- people ----------------------------------------------------------------------------
if s.demo_password:
    # Development only: one shared password for the demo users.
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = s.demo_password
    c.Authenticator.allowed_users = set(DEMO_LEARNERS + DEMO_TEACHERS)
    c.JupyterHub.load_groups = {
        DEMO_GROUP: {"users": list(DEMO_LEARNERS)},
        "teachers": {"users": list(DEMO_TEACHERS)},  # the grader's priority lane
    }
