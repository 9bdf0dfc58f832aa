"""promtool, from Debian's ``prometheus`` package, installed when missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

PACKAGE = "prometheus"  # Debian's package that ships promtool


def _apt_get(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["apt-get", *args],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=540,
    )


def install_promtool() -> str:
    """Install Debian's prometheus package (as root, with apt-get), for its promtool.
    Its server is not started: apt installs it as a service only."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(
            "promtool is missing and cannot be installed here (needs root and apt-get): "
            f"install Debian's {PACKAGE} package (apt-get install {PACKAGE}), or put "
            "promtool on the PATH."
        )
    install = ("install", "-y", "--no-install-recommends", PACKAGE)
    done = _apt_get(*install)
    if done.returncode != 0:  # stale or missing package lists
        _apt_get("update")
        done = _apt_get(*install)
    found = shutil.which("promtool")
    if done.returncode != 0 or found is None:
        pytest.fail(
            f"promtool is missing and `apt-get install {PACKAGE}` did not bring it "
            f"(exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return found


@pytest.fixture(scope="session")
def promtool() -> str:
    """Path of promtool; installed when missing. Never skipped: CI runs as root on Debian."""
    return shutil.which("promtool") or install_promtool()
