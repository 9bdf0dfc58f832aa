"""The hub configuration: what learners' containers and tokens are allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config import Config, PyFileConfigLoader

from hub_config.settings import ROOT

CONFIG = ROOT / "hub_config" / "jupyterhub_config.py"


def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Config:
    monkeypatch.setenv("CODERUNNER_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "172.30.0.1")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    loader = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent))
    return loader.load_config()


def test_learner_token_may_call_the_grader_and_nothing_else(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path)
    assert set(c.Spawner.server_token_scopes) == {
        "users:activity!user",
        "access:servers!server",
        "access:services!service=grader",
    }


def test_learner_containers_are_limited_and_on_the_internal_network(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, CODERUNNER_NETWORK="learners-x")
    assert c.DockerSpawner.network_name == "learners-x"
    assert c.DockerSpawner.remove is True
    assert c.DockerSpawner.extra_host_config["cap_drop"] == ["ALL"]
    assert "no-new-privileges" in c.DockerSpawner.extra_host_config["security_opt"]
    assert c.DockerSpawner.mem_limit == "1G"
    env = c.DockerSpawner.environment
    assert env == {"CODERUNNER_GRADER_URL": "http://172.30.0.1:8890/services/grader/"}


def test_grader_is_a_managed_service_and_secrets_stay_out_of_learner_env(
    monkeypatch, tmp_path
) -> None:
    c = load(
        monkeypatch,
        tmp_path,
        MONGODB_URI="mongodb://db/",
        REDIS_URL="redis://r/0",
        CODERUNNER_ADMIN_TOKEN="a" * 64,
    )
    grader = next(s for s in c.JupyterHub.services if s["name"] == "grader")
    assert grader["url"] == "http://172.30.0.1:8890"
    assert grader["environment"]["MONGODB_URI"] == "mongodb://db/"
    assert "mongodb" not in repr(c.DockerSpawner.environment)
    admin = next(r for r in c.JupyterHub.load_roles if r["name"] == "coderunner-admin")
    assert admin["services"] == ["coderunner-admin"]


def test_demo_users_only_with_a_demo_password(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("CODERUNNER_DEMO_PASSWORD", raising=False)
    assert "authenticator_class" not in load(monkeypatch, tmp_path).JupyterHub
    c = load(monkeypatch, tmp_path, CODERUNNER_DEMO_PASSWORD="pw")
    assert c.JupyterHub.authenticator_class == "dummy"
    assert c.JupyterHub.load_groups["demo-class"]["users"] == ["learner1", "learner2"]


def test_config_refuses_to_load_without_the_gateway(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "")
    with pytest.raises(SystemExit, match="CODERUNNER_GATEWAY_IP"):
        PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
