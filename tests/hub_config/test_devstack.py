"""The dev stack finds what `make` installed under the state folder it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub_config import devstack
from hub_config.devstack import Stack

CHP = Path("chp") / "node_modules" / ".bin" / "configurable-http-proxy"


def install_proxy(state: Path) -> Path:
    path = state / CHP
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\n")
    return path


@pytest.fixture
def checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    monkeypatch.setattr(devstack, "ROOT", root)
    monkeypatch.delenv("CODERUNNER_PROXY_COMMAND", raising=False)
    return root


def test_proxy_is_found_under_a_non_default_state_folder(checkout, tmp_path) -> None:
    install_proxy(checkout / ".state")
    state = tmp_path / "elsewhere"
    mine = install_proxy(state)
    stack = Stack(state_dir=state)
    assert stack.hub_env()["CODERUNNER_PROXY_COMMAND"] == str(mine)


def test_a_temporary_stack_uses_the_checkouts_proxy(checkout, tmp_path) -> None:
    shared = install_proxy(checkout / ".state")
    assert Stack(state_dir=tmp_path / "tmp-stack").proxy_command() == str(shared)


def test_proxy_from_the_environment_or_none(checkout, tmp_path, monkeypatch) -> None:
    assert Stack(state_dir=tmp_path).proxy_command() == ""  # JupyterHub looks on PATH
    monkeypatch.setenv("CODERUNNER_PROXY_COMMAND", "/opt/chp")
    assert Stack(state_dir=tmp_path).proxy_command() == "/opt/chp"
