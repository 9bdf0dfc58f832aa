"""LTI 1.3 sign-in settings: the hub configuration with CODERUNNER_AUTH=lti13 gives
ltiauthenticator the platform's settings under the library's real trait names, and
missing or unsafe settings stop the hub with one message that lists every problem."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from ltiauthenticator.lti13.validator import LTI13LaunchValidator
from tornado.web import HTTPError
from traitlets.config import Config, PyFileConfigLoader

from hub_config.lti import (
    DEPLOYMENT_ID_CLAIM,
    CodeRunnerLTI13Authenticator,
    LaunchHandler,
    LoginInitHandler,
)
from hub_config.settings import ROOT

CONFIG = ROOT / "hub_config" / "jupyterhub_config.py"
GOOD_SECRET = secrets.token_hex(32)
PLATFORM = {
    "CODERUNNER_LTI_ISSUER": "https://moodle.school.example",
    "CODERUNNER_LTI_CLIENT_ID": "aBc123, second-client",
    "CODERUNNER_LTI_AUTHORIZE_URL": "https://moodle.school.example/mod/lti/auth.php",
    "CODERUNNER_LTI_JWKS_URL": "https://moodle.school.example/mod/lti/certs.php",
}


def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Config:
    """The hub's configuration file loaded with this environment (as in
    test_jupyterhub_config.py), signing in through a learning platform."""
    monkeypatch.setenv("CODERUNNER_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "172.30.0.1")
    monkeypatch.setenv("CODERUNNER_CHECK_IMAGE", "0")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", GOOD_SECRET)
    monkeypatch.setenv("CONFIGPROXY_AUTH_TOKEN", GOOD_SECRET)
    monkeypatch.setenv("CODERUNNER_AUTH", "lti13")
    for key in ("CODERUNNER_DEMO", "CODERUNNER_DEMO_PASSWORD", "JPY_COOKIE_SECRET"):
        monkeypatch.delenv(key, raising=False)
    for key in [k for k in os.environ if k.startswith("CODERUNNER_LTI_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    loader = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent))
    return loader.load_config()


def test_platform_settings_reach_the_authenticator_traits(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, **PLATFORM, CODERUNNER_ADMIN_USERS="f81d4fae-7dec")
    assert c.JupyterHub.authenticator_class is CodeRunnerLTI13Authenticator
    # The instance the hub would build: proves the trait names are the library's own.
    auth = CodeRunnerLTI13Authenticator(config=c)
    assert auth.issuer == "https://moodle.school.example"
    assert auth.client_id == {"aBc123", "second-client"}
    assert auth.authorize_url == "https://moodle.school.example/mod/lti/auth.php"
    assert auth.jwks_endpoint == "https://moodle.school.example/mod/lti/certs.php"
    assert auth.jwks_algorithms == ["RS256"]
    assert auth.username_key == "sub"
    assert auth.deployment_ids == set()
    assert auth.tool_name == "Code Runner"
    # The platform decides who launches; JupyterHub 5+ would refuse everyone otherwise.
    assert auth.allow_all is True
    assert auth.admin_users == {"f81d4fae-7dec"}
    assert LTI13LaunchValidator(config=c).time_leeway == 30
    assert "NativeAuthenticator" not in c  # no sign-up form next to the platform


def test_launch_urls_are_the_library_ones_served_by_code_runner_handlers(
    monkeypatch, tmp_path
) -> None:
    auth = CodeRunnerLTI13Authenticator(config=load(monkeypatch, tmp_path, **PLATFORM))
    assert dict(auth.get_handlers(None)) == {
        "lti13/oauth_login": LoginInitHandler,
        "lti13/oauth_callback": LaunchHandler,
        "lti13/config": auth.config_handler,
    }
    assert auth.login_url("/hub/") == "/hub/lti13/oauth_login"


def test_username_is_the_platforms_opaque_id_not_a_name(monkeypatch, tmp_path) -> None:
    token = {"sub": "f81d4fae-7dec-11d0", "email": "sam@school.example", "name": "Sam"}
    auth = CodeRunnerLTI13Authenticator(config=load(monkeypatch, tmp_path, **PLATFORM))
    assert auth.get_username(token) == "f81d4fae-7dec-11d0"
    custom = load(monkeypatch, tmp_path, **PLATFORM, CODERUNNER_LTI_USERNAME_CLAIM="custom_uid")
    auth = CodeRunnerLTI13Authenticator(config=custom)
    claims = {**token, "https://purl.imsglobal.org/spec/lti/claim/custom": {"uid": "s-0042"}}
    assert auth.get_username(claims) == "s-0042"


async def test_only_listed_deployments_may_launch(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, **PLATFORM, CODERUNNER_LTI_DEPLOYMENT_IDS="1, 7")
    auth = CodeRunnerLTI13Authenticator(config=c)
    assert auth.deployment_ids == {"1", "7"}
    token = {"sub": "u-1", DEPLOYMENT_ID_CLAIM: "7"}
    assert (await auth.authenticate(None, token))["name"] == "u-1"
    with pytest.raises(HTTPError) as refused:
        await auth.authenticate(None, {**token, DEPLOYMENT_ID_CLAIM: "8"})
    assert refused.value.status_code == 403
    assert "deployment" in refused.value.log_message


def test_missing_settings_stop_the_hub_listing_every_one(monkeypatch, tmp_path) -> None:
    with pytest.raises(SystemExit) as stop:
        load(monkeypatch, tmp_path)
    message = str(stop.value)
    for name in ("ISSUER", "CLIENT_ID", "AUTHORIZE_URL", "JWKS_URL"):
        assert f"CODERUNNER_LTI_{name} is not set" in message
    assert "hub_config/LTI.md" in message


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"CODERUNNER_LTI_ISSUER": "http://moodle.school.example"}, "CODERUNNER_LTI_ISSUER"),
        ({"CODERUNNER_LTI_ISSUER": "https://lms.example/?tenant=1"}, "no query"),
        ({"CODERUNNER_LTI_JWKS_URL": "http://10.0.0.5/certs.php"}, "CODERUNNER_LTI_JWKS_URL"),
        ({"CODERUNNER_LTI_AUTHORIZE_URL": "moodle/auth.php"}, "CODERUNNER_LTI_AUTHORIZE_URL"),
        ({"CODERUNNER_LTI_CLIENT_ID": " , "}, "CODERUNNER_LTI_CLIENT_ID is not set"),
        ({"CODERUNNER_LTI_USERNAME_CLAIM": "given_name"}, "not unique"),
        ({"CODERUNNER_LTI_USERNAME_CLAIM": "custom_name"}, "not unique"),
        ({"CODERUNNER_LTI_USERNAME_CLAIM": "sub claim"}, "not a claim name"),
    ],
)
def test_unsafe_or_wrong_settings_stop_the_hub(monkeypatch, tmp_path, env, words) -> None:
    with pytest.raises(SystemExit, match=words):
        load(monkeypatch, tmp_path, **{**PLATFORM, **env})


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_plain_http_is_accepted_only_on_loopback(monkeypatch, tmp_path, host) -> None:
    local = {
        "CODERUNNER_LTI_ISSUER": f"http://{host}:9000",
        "CODERUNNER_LTI_AUTHORIZE_URL": f"http://{host}:9000/auth",
        "CODERUNNER_LTI_JWKS_URL": f"http://{host}:9000/jwks",
    }
    c = load(monkeypatch, tmp_path, **{**PLATFORM, **local})
    assert c.LTI13Authenticator.jwks_endpoint == f"http://{host}:9000/jwks"
