"""promtool, taken from Debian's ``prometheus`` package when it is not on the PATH.

The package is downloaded and unpacked, not installed: installing it would also set up
a Prometheus server as a system service, which tests have no use for. The binary is
kept under ``.state/tools`` for the next run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PACKAGE = "prometheus"  # Debian's package that ships promtool
ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / ".state" / "tools"


def _run(*argv: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=540,
    )


def unpack_promtool() -> str:
    """Download Debian's prometheus package and unpack its promtool into .state/tools."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        pytest.fail(
            "promtool is missing and cannot be fetched here (needs apt-get and dpkg-deb): "
            f"install Debian's {PACKAGE} package, or put promtool on the PATH."
        )
    with tempfile.TemporaryDirectory() as folder:
        done = _run("apt-get", "download", PACKAGE, cwd=folder)
        if done.returncode != 0 and os.geteuid() == 0:  # stale or missing package lists
            _run("apt-get", "update")
            done = _run("apt-get", "download", PACKAGE, cwd=folder)
        debs = sorted(Path(folder).glob(f"{PACKAGE}_*.deb"))
        if done.returncode != 0 or not debs:
            pytest.fail(
                f"promtool is missing and `apt-get download {PACKAGE}` failed "
                f"(exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
        unpacked = Path(folder) / "root"
        done = _run("dpkg-deb", "-x", str(debs[-1]), str(unpacked))
        binary = unpacked / "usr" / "bin" / "promtool"
        if done.returncode != 0 or not binary.is_file():
            pytest.fail(f"{debs[-1].name} holds no usr/bin/promtool: {done.stderr[-2000:]}")
        TOOLS.mkdir(parents=True, exist_ok=True)
        target = TOOLS / "promtool"
        shutil.copy2(binary, target)
    return str(target)


@pytest.fixture(scope="session")
def promtool() -> str:
    """Path of promtool; fetched when missing. Never skipped: CI runs on Debian."""
    kept = TOOLS / "promtool"
    if kept.is_file() and os.access(kept, os.X_OK):
        return str(kept)
    return shutil.which("promtool") or unpack_promtool()
