"""Who may read ``/metrics`` and the detail of ``/health/ready``, and the HTTP drain.

``/metrics`` and the readiness detail (which dependency fails and why, the warm pool)
tell an attacker a lot about the service, so they are not public. A caller may read
them when one of these holds:

- it sends ``Authorization: Bearer <MonitoringAccess.metrics_token>`` (a static secret
  for a Prometheus server: its ``authorization.credentials_file``), compared in constant
  time;
- it sends a hub token (``Authorization: token <t>``, as every API call) whose scopes
  include one of ``MonitoringAccess.hub_scopes``: JupyterHub's own ``read:metrics``
  (give it to a Prometheus *service* in the hub with a role, together with
  ``access:services!service=grader``) or Code Runner's ``custom:coderunner:admin``;
- it connects directly (no proxy in between) from one of
  ``MonitoringAccess.admin_networks`` (default: loopback only).

Everybody else gets ``403`` from ``/metrics`` and only ``{"status": ...}`` with the right
status code from ``/health/ready`` (what load balancers need). ``/health`` stays public.

``Drain`` is the HTTP side of a graceful stop (``GradingService.shutdown``): requests
that arrive on open connections while the service stops answer 503 with Retry-After,
long polls answer early with the state they have, and the service waits for the
requests in flight before closing connections.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
from pathlib import Path
from typing import Any

from tornado.httputil import HTTPServerRequest
from traitlets import List, Unicode, default
from traitlets.config import LoggingConfigurable

from .access import ADMIN
from .auth import token_from_header

READ_METRICS = "read:metrics"  # JupyterHub's own scope for /hub/metrics
LOOPBACK = ["127.0.0.1/32", "::1/128"]
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class MonitoringAccess(LoggingConfigurable):
    """Who may read ``/metrics`` and the detail of ``/health/ready``."""

    metrics_token = Unicode(
        help="""A secret that lets its bearer read /metrics and the detail of
        /health/ready (`Authorization: Bearer <token>`), for a Prometheus server that is
        not a hub service (`authorization: {credentials_file: ...}` in its scrape
        config). At least 32 characters; compared in constant time. Empty: no such
        token. Default: the first line of $CODERUNNER_METRICS_TOKEN_FILE, else
        $CODERUNNER_METRICS_TOKEN, else none. Hub tokens with one of hub_scopes work
        as well, and need no setting here.""",
    ).tag(config=True)

    @default("metrics_token")
    def _default_metrics_token(self) -> str:
        path = os.environ.get("CODERUNNER_METRICS_TOKEN_FILE")
        if path:
            lines = Path(path).read_text().splitlines()
            return lines[0].strip() if lines else ""
        return os.environ.get("CODERUNNER_METRICS_TOKEN", "").strip()

    hub_scopes = List(
        Unicode(),
        [READ_METRICS, ADMIN],
        help=f"""A hub token carrying any of these scopes may read /metrics and the detail
        of /health/ready (the token must also carry access:services!service=grader, as
        for every call). Default: {READ_METRICS} (JupyterHub's scope for its own
        /hub/metrics: one Prometheus service in the hub, with a role granting both
        scopes, scrapes the hub and the grader with one token) and {ADMIN}.""",
    ).tag(config=True)

    admin_networks = List(
        Unicode(),
        help="""Networks (CIDR) from which a caller connecting directly to the service's
        port may read /metrics and the detail of /health/ready without a token: a
        Prometheus server or an admin's curl on the grading host. Default:
        $CODERUNNER_ADMIN_NETWORKS (comma-separated), else loopback only
        (127.0.0.1/32, ::1/128); set it to an empty list to require a token from
        everyone. The rule looks at the TCP peer itself, never at X-Forwarded-For, and
        does not apply to a request that carries forwarding headers: behind the hub's
        proxy every request comes from the proxy's address, so requests through
        /services/grader/ always need a token.""",
    ).tag(config=True)

    @default("admin_networks")
    def _default_admin_networks(self) -> list[str]:
        value = os.environ.get("CODERUNNER_ADMIN_NETWORKS")
        if value is None:
            return list(LOOPBACK)
        return [part.strip() for part in value.split(",") if part.strip()]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.metrics_token and len(self.metrics_token) < 32:
            raise ValueError("MonitoringAccess.metrics_token must be at least 32 characters")
        self.networks: list[IPNetwork] = [
            ipaddress.ip_network(cidr, strict=False) for cidr in self.admin_networks
        ]

    def token_matches(self, authorization: str | None) -> bool:
        token = token_from_header(authorization)
        if not token or not self.metrics_token:
            return False
        return hmac.compare_digest(token.encode(), self.metrics_token.encode())

    def scopes_allow(self, model: dict) -> bool:
        scopes = set(model.get("scopes") or ())
        return bool(scopes.intersection(self.hub_scopes))

    def network_allows(self, request: HTTPServerRequest) -> bool:
        """Whether the request comes straight (no proxy) from an admin network."""
        if any(request.headers.get(name) for name in FORWARDING_HEADERS):
            return False
        peer = peer_address(request)
        if not peer:
            return False
        try:
            address = ipaddress.ip_address(peer.split("%")[0])
        except ValueError:  # a unix socket's path: not an address of a network
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)


def peer_address(request: HTTPServerRequest) -> str | None:
    """The TCP peer's own address. With ``xheaders`` on, ``request.remote_ip`` is what
    X-Real-Ip or X-Forwarded-For claim, which any client can write; tornado keeps the
    socket's address beside it."""
    context = getattr(request.connection, "context", None)
    original = getattr(context, "_orig_remote_ip", None)
    if original:
        return str(original)
    stream = getattr(request.connection, "stream", None)
    sock = getattr(stream, "socket", None)
    try:
        return str(sock.getpeername()[0]) if sock is not None else None
    except OSError:
        return None


class Drain:
    """The HTTP side of a graceful stop: requests in flight, and whether we stop."""

    def __init__(self) -> None:
        self.draining = False
        self.requests = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.polls_released = asyncio.Event()

    def begin(self) -> None:
        """From now on new requests answer 503 with Retry-After."""
        self.draining = True

    def release_polls(self) -> None:
        """Long polls answer now, with the state their submission has."""
        self.polls_released.set()

    def started(self) -> None:
        self.requests += 1
        self._idle.clear()

    def finished(self) -> None:
        self.requests = max(self.requests - 1, 0)
        if not self.requests:
            self._idle.set()

    async def wait_idle(self, seconds: float) -> bool:
        """Until no request is in flight (True), or ``seconds`` passed (False)."""
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
            return True
        except TimeoutError:
            return False
