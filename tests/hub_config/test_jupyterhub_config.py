"""The hub configuration: what learners' containers and tokens are allowed."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from traitlets.config import Config, PyFileConfigLoader

from hub_config.settings import ROOT

CONFIG = ROOT / "hub_config" / "jupyterhub_config.py"
GOOD_SECRET = secrets.token_hex(32)


def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Config:
    monkeypatch.setenv("CODERUNNER_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "172.30.0.1")
    monkeypatch.setenv("CODERUNNER_CHECK_IMAGE", "0")  # checked in test_learner_homes
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", GOOD_SECRET)
    monkeypatch.setenv("CONFIGPROXY_AUTH_TOKEN", GOOD_SECRET)
    monkeypatch.delenv("CODERUNNER_DEMO", raising=False)
    monkeypatch.delenv("CODERUNNER_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("JPY_COOKIE_SECRET", raising=False)
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
    assert env == {
        "CODERUNNER_GRADER_URL": "http://172.30.0.1:8890/services/grader/",
        "CODERUNNER_HOME_QUOTA_MB": "500",
        "CODERUNNER_MAX_UPLOAD_MB": "50",
    }


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


def test_operations_settings_reach_the_grader_and_not_learners(monkeypatch, tmp_path) -> None:
    c = load(
        monkeypatch,
        tmp_path,
        CODERUNNER_METRICS_TOKEN_FILE="/etc/coderunner/metrics-token",
        CODERUNNER_ADMIN_NETWORKS="10.0.0.0/24",
        CODERUNNER_JWT_PREVIOUS_SECRETS_FILE="/etc/coderunner/jwt-previous",
        CODERUNNER_LOG_FILE="/var/log/coderunner/grader.log",
    )
    grader = next(s for s in c.JupyterHub.services if s["name"] == "grader")
    env = grader["environment"]
    assert env["CODERUNNER_METRICS_TOKEN_FILE"] == "/etc/coderunner/metrics-token"
    assert env["CODERUNNER_ADMIN_NETWORKS"] == "10.0.0.0/24"
    assert env["CODERUNNER_JWT_PREVIOUS_SECRETS_FILE"] == "/etc/coderunner/jwt-previous"
    assert env["CODERUNNER_LOG_FILE"] == "/var/log/coderunner/grader.log"
    assert "metrics-token" not in repr(c.DockerSpawner.environment)
    assert "CODERUNNER_METRICS_TOKEN" not in grader["environment"]  # unset: not passed


def test_demo_users_only_in_demo_mode(monkeypatch, tmp_path, capfd) -> None:
    from hub_config.native import CodeRunnerNativeAuthenticator

    native = load(monkeypatch, tmp_path).JupyterHub.authenticator_class
    assert native is CodeRunnerNativeAuthenticator
    c = load(monkeypatch, tmp_path, CODERUNNER_DEMO_PASSWORD="pw", CODERUNNER_DEMO="1")
    assert c.JupyterHub.authenticator_class == "dummy"
    assert c.JupyterHub.load_groups["demo-class"]["users"] == ["learner1", "learner2"]
    assert "demo mode" in capfd.readouterr().err
    with pytest.raises(SystemExit, match="only works in demo mode"):
        load(monkeypatch, tmp_path, CODERUNNER_DEMO_PASSWORD="pw", CODERUNNER_DEMO="0")


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"CODERUNNER_JWT_SECRET": ""}, "No JWT secret"),
        ({"CODERUNNER_JWT_SECRET": "changeme"}, "CODERUNNER_JWT_SECRET"),
        ({"CONFIGPROXY_AUTH_TOKEN": ""}, "CONFIGPROXY_AUTH_TOKEN"),
        ({"CONFIGPROXY_AUTH_TOKEN": "short"}, "CONFIGPROXY_AUTH_TOKEN"),
        ({"JPY_COOKIE_SECRET": "abcd"}, "JPY_COOKIE_SECRET"),
    ],
)
def test_missing_or_weak_secrets_stop_the_hub(monkeypatch, tmp_path, env, words) -> None:
    with pytest.raises(SystemExit, match=words):
        load(monkeypatch, tmp_path, **env)


def test_schools_sign_in_with_approval_and_limited_tries(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, CODERUNNER_ADMIN_USERS="head, it-admin")
    assert c.Authenticator.admin_users == {"head", "it-admin"}
    assert c.NativeAuthenticator.open_signup is False
    assert c.Authenticator.allow_all is True  # approval by an admin is the allow-list
    assert c.NativeAuthenticator.allowed_failed_logins == 10
    assert c.NativeAuthenticator.seconds_before_next_try == 15 * 60


async def test_ten_wrong_passwords_lock_the_name_for_fifteen_minutes(monkeypatch, tmp_path) -> None:
    """The hub's own authenticator with this configuration, on a real (SQLite) hub DB."""
    import bcrypt
    from jupyterhub import orm
    from nativeauthenticator import NativeAuthenticator
    from nativeauthenticator.orm import UserInfo

    gensalt = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda: gensalt(rounds=4))  # fast hashes in tests
    c = load(monkeypatch, tmp_path)
    db = orm.new_session_factory("sqlite://")()
    auth = NativeAuthenticator(config=c, db=db)
    assert auth.create_user("pupil", "a-long-passphrase-7")
    UserInfo.change_authorization(db, "pupil")  # what an admin's approval does
    good = {"username": "pupil", "password": "a-long-passphrase-7"}
    assert await auth.authenticate(None, good) == "pupil"
    for _ in range(10):
        assert await auth.authenticate(None, {**good, "password": "guess"}) is None
    assert await auth.authenticate(None, good) is None  # locked, even with the password
    later = datetime.now() - timedelta(minutes=16)
    auth.login_attempts["pupil"]["time"] = later
    assert await auth.authenticate(None, good) == "pupil"


def test_config_refuses_to_load_without_the_gateway(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "")
    with pytest.raises(SystemExit, match="CODERUNNER_GATEWAY_IP"):
        PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()


def test_cohorts_in_the_settings_get_teacher_roles(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, CODERUNNER_COHORTS="7a, 7b", CODERUNNER_ADMIN_USERS="head")
    roles = {role["name"]: role for role in c.JupyterHub.load_roles}
    assert roles["teacher-7a"]["groups"] == ["7a-teachers"]
    assert roles["coderunner-admin-users"]["users"] == ["head"]
    assert {"7a", "7a-teachers", "7b", "7b-teachers", "graders"} <= set(c.JupyterHub.load_groups)
    assert "custom:coderunner:teach" in c.JupyterHub.custom_scopes
    grader = next(s for s in c.JupyterHub.services if s["name"] == "grader")
    assert "custom:coderunner:teach" in grader["oauth_client_allowed_scopes"]


def test_a_cohort_name_that_cannot_be_a_role_name_stops_the_hub(monkeypatch, tmp_path) -> None:
    with pytest.raises(SystemExit, match="Class 7A"):
        load(monkeypatch, tmp_path, CODERUNNER_COHORTS="Class 7A")


def test_demo_mode_refuses_another_sign_in(monkeypatch, tmp_path) -> None:
    with pytest.raises(SystemExit, match="CODERUNNER_AUTH=lti13"):
        load(
            monkeypatch,
            tmp_path,
            CODERUNNER_DEMO="1",
            CODERUNNER_DEMO_PASSWORD="pw",
            CODERUNNER_AUTH="lti13",
        )
