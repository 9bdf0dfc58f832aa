"""Fail-fast configuration: the service refuses to start with settings that cannot work."""

from __future__ import annotations

import secrets

import pytest

from grading_service.app import ConfigError, GradingService, main
from hub_config.settings import ROOT

GOOD = {
    "mongodb_uri": "mongodb://127.0.0.1:1/",
    "redis_url": "redis://127.0.0.1:1/0",
    "content_dir": str(ROOT / "content"),
}


@pytest.fixture(autouse=True)
def hub_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "x")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secrets.token_hex(32))
    monkeypatch.delenv("CODERUNNER_JWT_SECRET_FILE", raising=False)


def test_good_configuration_initialises() -> None:
    GradingService(**GOOD).initialize([])


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"mongodb_uri": ""}, "MONGODB_URI"),
        ({"redis_url": ""}, "REDIS_URL"),
        ({"content_dir": "/nonexistent"}, "content folder"),
    ],
)
def test_missing_settings_are_refused(override: dict, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        GradingService(**{**GOOD, **override}).initialize([])


@pytest.mark.parametrize("secret", ["", "changeme", "a" * 64, "0123456789abcdef" * 4, "s3cr3tZ"])
def test_missing_short_or_well_known_jwt_secret_is_refused(monkeypatch, secret: str) -> None:
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secret)
    with pytest.raises(ConfigError, match="JWT secret") as err:
        GradingService(**GOOD).initialize([])
    if secret:
        assert secret not in str(err.value)


def test_cli_exits_2_with_the_reason(monkeypatch, capsys) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "MONGODB_URI" in capsys.readouterr().err
