"""The host firewall for the learners' network: learners reach the hub and the grader only.

An ``--internal`` Docker network keeps learners off the internet, and Docker's
``enable_icc=false`` keeps them off each other, but neither stops a learner container from
opening any port that the host itself listens on at the network's gateway address (an
SSH server, a database bound to all addresses). These rules close that: traffic that
enters the host from the learners' bridge may only be the replies to connections the host
opened (the proxy and the hub talking to learners' servers) and new connections to the
hub's API port and the grading service's port. Everything else is rejected.

The rules live in a chain of their own (``CODERUNNER-<instance>``), jumped to from
``INPUT`` for the bridge's interface only, so removing them is exact. ``make demo`` and
the tests apply them when they run as root; on a server, run
``coderunner hub firewall --apply`` after the learners' network exists (and at boot).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable

import docker


def chain_name(instance: str) -> str:
    return f"CODERUNNER-{instance}"[:28]  # iptables' limit on chain names


def bridge_of(network: str) -> str:
    """The host interface of a Docker bridge network (Docker names it ``br-<id[:12]>``
    unless the network was given a name with ``com.docker.network.bridge.name``)."""
    net = docker.from_env().networks.get(network)
    return net.attrs.get("Options", {}).get("com.docker.network.bridge.name") or (
        f"br-{net.id[:12]}"
    )


def rules(chain: str, bridge: str, allowed_tcp_ports: Iterable[int]) -> list[list[str]]:
    """The iptables commands (arguments after ``iptables``) that apply the policy."""
    commands = [
        ["-N", chain],
        ["-A", chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"],
    ]
    for port in sorted(set(allowed_tcp_ports)):
        commands.append(["-A", chain, "-p", "tcp", "--dport", str(port), "-j", "RETURN"])
    # REJECT rather than DROP: a blocked connection fails at once instead of hanging.
    commands.append(["-A", chain, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"])
    commands.append(["-A", chain, "-j", "REJECT"])
    commands.append(["-I", "INPUT", "-i", bridge, "-j", chain])
    return commands


def removal(chain: str, bridge: str) -> list[list[str]]:
    return [["-D", "INPUT", "-i", bridge, "-j", chain], ["-F", chain], ["-X", chain]]


def available() -> bool:
    """Whether this process can change the host firewall (root, with iptables)."""
    import os

    return os.geteuid() == 0 and shutil.which("iptables") is not None


def _iptables(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["iptables", "-w", *args], capture_output=True, text=True, check=check, timeout=30
    )


def apply(instance: str, network: str, allowed_tcp_ports: Iterable[int]) -> None:
    """Install (or re-install) the policy for this instance's learners' network."""
    chain, bridge = chain_name(instance), bridge_of(network)
    remove(instance, bridge)
    for args in rules(chain, bridge, allowed_tcp_ports):
        _iptables(args)


def remove(instance: str, bridge: str) -> None:
    """Take the policy away; missing rules are fine (already removed)."""
    for args in removal(chain_name(instance), bridge):
        _iptables(args, check=False)


def is_applied(instance: str) -> bool:
    return _iptables(["-S", chain_name(instance)], check=False).returncode == 0
