"""Start and stop the whole platform on one machine: ``make demo`` / ``make down``.

Starts Redis (unless ``REDIS_URL`` is set) and a SecantusDB MongoDB-protocol server
(unless ``MONGODB_URI`` is set) on free loopback ports, creates the learners' internal
Docker network, and starts JupyterHub, which starts the proxy and the grading service.
What it started is recorded in ``<state>/stack.json`` so ``down`` can stop exactly that.
The test suite uses the same :class:`Stack` with its own state folder and ports.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import docker
from docker.errors import NotFound

from hub_config import firewall
from hub_config.settings import (
    DEMO_GROUP,
    DEMO_LEARNERS,
    DEMO_TEACHERS,
    ROOT,
    home_volume_prefix,
)

DEMO_PASSWORD_DEFAULT = "coderunner-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(
    url: str,
    timeout: float,
    headers: dict | None = None,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
    context: ssl.SSLContext | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"process for {url} exited with {proc.returncode}\n{tail}")
        try:
            req = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(req, timeout=3, context=context) as resp:
                if resp.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = exc
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s ({last})\n{tail}")


def wait_port(port: int, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} not open after {timeout}s: {log.read_text()[-2000:]}")


@dataclass
class Stack:
    state_dir: Path
    instance: str = "demo"
    network: str = "coderunner-learners"
    public_port: int = 8000
    proxy_api_port: int = 8001
    hub_port: int = 8081
    grader_port: int = 8890
    redis_url: str = ""
    mongodb_uri: str = ""
    admin_token: str = ""
    jwt_secret: str = ""
    demo_password: str = ""
    image: str = ""
    gateway_ip: str = ""
    cull_timeout_seconds: int = 3600
    cull_every_seconds: int = 300
    # Learners' home volumes outlive `down` (their work is never lost); tests remove them.
    remove_homes: bool = False
    ssl_cert: str = ""
    ssl_key: str = ""
    # Learners may open connections to the hub and the grader only (hub_config/firewall.py);
    # applied when this process may change the host firewall.
    firewall: bool = True
    # Cohorts with teachers (comma separated; demo mode adds the demo class).
    cohorts: str = ""
    # Hub admins (comma separated): they approve sign-ups outside demo mode.
    admin_users: str = ""
    # More settings for the hub's environment (CODERUNNER_AUTH=lti13 and its settings).
    extra_env: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    # ------------------------------------------------------------------ helpers
    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    @property
    def hub_url(self) -> str:
        return f"{'https' if self.ssl_cert else 'http'}://127.0.0.1:{self.public_port}"

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        """Trusts this stack's own certificate (a self-signed one in tests)."""
        return ssl.create_default_context(cafile=self.ssl_cert) if self.ssl_cert else None

    def save(self) -> None:
        path = self.state_dir / "stack.json"
        data = asdict(self)
        data["state_dir"] = str(self.state_dir)
        path.write_text(json.dumps(data, indent=2))
        path.chmod(0o600)

    @classmethod
    def load(cls, state_dir: Path) -> Stack | None:
        path = state_dir / "stack.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        data["state_dir"] = Path(data["state_dir"])
        return cls(**data)

    def _spawn(
        self, name: str, argv: list[str], env: dict | None = None, cwd: Path | None = None
    ) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.pids[name] = proc.pid
        self.save()
        return proc

    # ------------------------------------------------------------------ parts
    def ensure_network(self) -> str:
        client = docker.from_env()
        try:
            net = client.networks.get(self.network)
        except NotFound:
            net = client.networks.create(
                self.network,
                driver="bridge",
                internal=True,
                options={"com.docker.network.bridge.enable_icc": "false"},
                labels={"org.coderunner.instance": self.instance},
            )
        net.reload()
        self.gateway_ip = net.attrs["IPAM"]["Config"][0]["Gateway"]
        return self.gateway_ip

    def apply_firewall(self) -> None:
        if not self.firewall:
            return
        if not firewall.available():
            print(
                "devstack: not root or no iptables: learners can reach ports the host "
                "listens on at the gateway address (see hub_config/firewall.py)",
                file=sys.stderr,
            )
            return
        firewall.apply(self.instance, self.network, [self.hub_port, self.grader_port])

    def start_redis(self) -> None:
        if self.redis_url:
            return
        port = free_port()
        data = self.state_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        proc = self._spawn(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(data),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--protected-mode",
                "yes",
                # A queue must never lose entries to eviction: when full, new work is
                # refused (a 503) instead. Acked jobs leave the streams, so this is room
                # for the work in flight and the rate-limit counters.
                "--maxmemory",
                "256mb",
                "--maxmemory-policy",
                "noeviction",
            ],
        )
        wait_port(port, 20, proc, self.logs / "redis.log")
        self.redis_url = f"redis://127.0.0.1:{port}/0"

    def start_mongodb(self) -> None:
        if self.mongodb_uri:
            return
        port = free_port()
        data = self.state_dir / "mongodb"
        data.mkdir(parents=True, exist_ok=True)
        exe = shutil.which("secantusd-py", path=str(Path(sys.executable).parent)) or shutil.which(
            "secantusd-py"
        )
        if not exe:
            raise RuntimeError(
                "secantusd-py not found: pip install secantusdb, or set "
                "MONGODB_URI to a MongoDB server"
            )
        proc = self._spawn(
            "mongodb",
            [
                exe,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--storage-path",
                str(data),
                "--log-level",
                "WARNING",
            ],
        )
        wait_port(port, 60, proc, self.logs / "mongodb.log")
        self.mongodb_uri = f"mongodb://127.0.0.1:{port}/"

    def proxy_command(self) -> str:
        """The configurable-http-proxy for JupyterHub to start: $CODERUNNER_PROXY_COMMAND,
        else the one `make proxy` installed under this stack's state folder
        (``$(STATE)/chp``), else the one under the checkout's default ``.state`` (test
        stacks run in temporary state folders and share it); empty: JupyterHub looks for
        it on PATH."""
        if os.environ.get("CODERUNNER_PROXY_COMMAND"):
            return os.environ["CODERUNNER_PROXY_COMMAND"]
        for state in (self.state_dir, ROOT / ".state"):
            chp = state / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
            if chp.exists():
                return str(chp)
        return ""

    def hub_env(self) -> dict[str, str]:
        return {
            "CODERUNNER_STATE_DIR": str(self.state_dir),
            "CODERUNNER_PUBLIC_PORT": str(self.public_port),
            "CODERUNNER_PROXY_API_PORT": str(self.proxy_api_port),
            "CODERUNNER_HUB_PORT": str(self.hub_port),
            "CODERUNNER_GRADER_PORT": str(self.grader_port),
            "CODERUNNER_NETWORK": self.network,
            "CODERUNNER_GATEWAY_IP": self.gateway_ip,
            "CODERUNNER_SANDBOX_IMAGE": self.image,
            "CODERUNNER_INSTANCE": self.instance,
            "CODERUNNER_ADMIN_TOKEN": self.admin_token,
            "CODERUNNER_JWT_SECRET": self.jwt_secret,
            "CODERUNNER_DEMO_PASSWORD": self.demo_password,
            "CODERUNNER_DEMO": "1" if self.demo_password else "0",
            "CODERUNNER_PROXY_COMMAND": self.proxy_command(),
            "CODERUNNER_SSL_CERT": self.ssl_cert,
            "CODERUNNER_SSL_KEY": self.ssl_key,
            "CODERUNNER_CULL_TIMEOUT": str(self.cull_timeout_seconds),
            "CODERUNNER_CULL_EVERY": str(self.cull_every_seconds),
            "CODERUNNER_COHORTS": self.cohorts,
            "CODERUNNER_ADMIN_USERS": self.admin_users,
            "MONGODB_URI": self.mongodb_uri,
            "REDIS_URL": self.redis_url,
            "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            **self.extra_env,
        }

    def start_hub(self) -> None:
        hub_dir = self.state_dir / "hub"
        hub_dir.mkdir(parents=True, exist_ok=True)
        proc = self._spawn(
            "jupyterhub",
            [
                sys.executable,
                "-m",
                "jupyterhub",
                "-f",
                str(ROOT / "hub_config" / "jupyterhub_config.py"),
            ],
            env=self.hub_env(),
            cwd=hub_dir,
        )
        wait_http(
            f"{self.hub_url}/hub/api",
            90,
            proc=proc,
            log=self.logs / "jupyterhub.log",
            context=self.ssl_context,
        )
        wait_http(
            f"http://{self.gateway_ip}:{self.grader_port}/health",
            60,
            proc=proc,
            log=self.logs / "jupyterhub.log",
        )

    def restart_hub(self) -> None:
        """Stop the hub (with the proxy and services it started) and start it again.
        Learners' servers keep running (``cleanup_servers = False``)."""
        pid = self.pids.pop("jupyterhub", None)
        if pid:
            _terminate(pid)
        self.start_hub()

    def api(self, method: str, path: str, body: dict | None = None) -> dict | None:
        req = urllib.request.Request(
            f"{self.hub_url}/hub/api{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"token {self.admin_token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(req, timeout=30, context=self.ssl_context) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    # ------------------------------------------------------------------ lifecycle
    def up(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.admin_token = (
            self.admin_token or os.environ.get("CODERUNNER_ADMIN_TOKEN") or secrets.token_hex(32)
        )
        self.jwt_secret = (
            self.jwt_secret or os.environ.get("CODERUNNER_JWT_SECRET") or secrets.token_hex(32)
        )
        self.redis_url = self.redis_url or os.environ.get("REDIS_URL", "")
        self.mongodb_uri = self.mongodb_uri or os.environ.get("MONGODB_URI", "")
        self.save()
        try:
            self.ensure_network()
            self.apply_firewall()
            self.start_redis()
            self.start_mongodb()
            self.start_hub()
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        order = ["jupyterhub", "redis", "mongodb"]
        for name in order + [n for n in self.pids if n not in order]:
            pid = self.pids.get(name)
            if pid:
                _terminate(pid)
        self.pids = {}
        try:
            client = docker.from_env()
            for container in client.api.containers(
                all=True, filters={"label": f"org.coderunner.instance={self.instance}"}
            ):
                try:
                    client.api.remove_container(container["Id"], force=True)
                except NotFound:
                    pass
            try:
                bridge = firewall.bridge_of(self.network)
                if firewall.available():
                    firewall.remove(self.instance, bridge)
                client.networks.get(self.network).remove()
            except NotFound:
                pass
            if self.remove_homes:
                for volume in client.volumes.list(
                    filters={"name": home_volume_prefix(self.instance)}
                ):
                    if volume.name.startswith(home_volume_prefix(self.instance)):
                        volume.remove(force=True)
        except Exception as exc:  # noqa: BLE001 - best effort; report and go on
            print(f"devstack: Docker clean-up incomplete: {exc}", file=sys.stderr)
        if (self.state_dir / "stack.json").exists():
            self.save()


def _terminate(pid: int, grace: float = 20.0) -> None:
    """SIGTERM the process group, wait, then SIGKILL whatever is left."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def operator_env(stack: Stack) -> dict[str, str]:
    """The settings docs/runbook.md's commands read, for this stack: what an admin sets
    by hand on a production server (``eval "$(python -m hub_config.devstack env)"`` on
    the demo)."""
    return {
        "HUB_URL": stack.hub_url,
        "HUB_TOKEN": stack.admin_token,
        # What `coderunner user`, `coderunner hub prune-homes` read for the hub's API.
        "JUPYTERHUB_API_URL": f"{stack.hub_url}/hub/api",
        "CODERUNNER_ADMIN_TOKEN": stack.admin_token,
        "GRADER_URL": f"{stack.hub_url}/services/grader",
        "REDIS_URL": stack.redis_url,
        "MONGODB_URI": stack.mongodb_uri,
        "CODERUNNER_SANDBOX_IMAGE": stack.image,
        "CODERUNNER_INSTANCE": stack.instance,
        "CODERUNNER_LOGS": str(stack.logs),
        "CODERUNNER_STATE_DIR": str(stack.state_dir),
    }


def shell_exports(stack: Stack) -> str:
    """``export NAME='value'`` lines for ``operator_env``, quoted for a POSIX shell."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in operator_env(stack).items())


def demo_up(state_dir: Path, image: str) -> Stack:
    old = Stack.load(state_dir)
    if old and old.pids:
        old.down()
    stack = Stack(
        state_dir=state_dir,
        image=image,
        demo_password=os.environ.get("CODERUNNER_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT),
    )
    stack.up()
    return stack


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hub_config.devstack")
    parser.add_argument("command", choices=["up", "down", "status", "env"])
    parser.add_argument("--state", type=Path, default=ROOT / ".state")
    parser.add_argument("--image", default=os.environ.get("CODERUNNER_SANDBOX_IMAGE", ""))
    args = parser.parse_args(argv)
    state = args.state.resolve()
    if args.command == "up":
        image = args.image or (state / "sandbox-image").read_text().strip()
        stack = demo_up(state, image)
        learners = ", ".join(DEMO_LEARNERS)
        print(f"""
Code Runner is running.

  Open:      {stack.hub_url}
  Learners:  {learners}    Teacher: {", ".join(DEMO_TEACHERS)}    (group {DEMO_GROUP})
  Password:  {stack.demo_password}    <- DEVELOPMENT ONLY: the demo uses a shared password
  Grader:    {stack.hub_url}/services/grader/health
  Admin API token (scripts): {state / "stack.json"} (admin_token)
  Logs:      {stack.logs}/
  Stop:      make down
""")
    elif args.command == "down":
        running = Stack.load(state)
        if running is None:
            print("nothing to stop")
            return
        running.down()
        print("stopped")
    elif args.command == "env":
        running = Stack.load(state)
        if running is None or not running.pids:
            print("# no stack is running here: start one with `make demo`", file=sys.stderr)
            sys.exit(1)
        print(shell_exports(running))
    else:
        running = Stack.load(state)
        print(
            json.dumps(
                {"running": bool(running and running.pids), "hub": running and running.hub_url}
            )
        )


if __name__ == "__main__":
    main()
