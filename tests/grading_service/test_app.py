"""Fail-fast configuration: the service refuses to start with settings that cannot work;
and it logs everything, its own messages included, as one stream of JSON lines."""

from __future__ import annotations

import io
import json
import logging

import pytest

from grading_service.app import ConfigError, GradingService, main
from hub_config.settings import ROOT

GOOD = {
    "mongodb_uri": "mongodb://127.0.0.1:1/",
    "redis_url": "redis://127.0.0.1:1/0",
    "content_dir": str(ROOT / "content"),
}


pytestmark = pytest.mark.usefixtures("service_env")


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


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "cannot read"), (b"  \n", "empty"), (b"\xff\xfe", "UTF-8"), (b"x" * 70000, "over")],
)
def test_a_missing_or_unusable_privacy_notice_is_refused(
    tmp_path, content: bytes | None, fragment: str
) -> None:
    notice = tmp_path / "notice.md"
    if content is not None:
        notice.write_bytes(content)
    with pytest.raises(ConfigError, match=fragment):
        GradingService(**GOOD, privacy_notice_file=str(notice)).initialize([])


def test_the_default_privacy_notice_ships_with_the_package() -> None:
    app = GradingService(**GOOD)
    app.initialize([])
    assert "Who can see it" in app.privacy_notice.text
    assert len(app.privacy_notice.version) == 16


def test_cli_exits_2_with_the_reason(monkeypatch, capsys) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "MONGODB_URI" in capsys.readouterr().err


def test_one_json_stream_includes_the_applications_own_logger() -> None:
    app = GradingService(**GOOD)
    app.initialize([])
    stream = io.StringIO()
    (handler,) = app.log.handlers
    handler.setStream(stream)
    assert logging.getLogger().handlers == [handler]  # libraries write to the same stream

    app.log.info("service message")
    logging.getLogger("coderunner.worker").info("module message", extra={"submission_id": "s1"})
    logging.getLogger("tornado.coderunner-test").info("tornado message")
    logging.getLogger("pymongo.topology").warning("library message")
    logging.getLogger("coderunner.worker").debug("below the level")

    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["logger"], e["msg"]) for e in entries] == [
        ("GradingService", "service message"),
        ("coderunner.worker", "module message"),
        ("tornado.coderunner-test", "tornado message"),
        ("pymongo.topology", "library message"),
    ]
    assert entries[1]["submission_id"] == "s1"
    assert {e["level"] for e in entries} == {"info", "warning"}


def test_log_level_applies_to_the_modules_too() -> None:
    app = GradingService(**GOOD)
    app.initialize(["--log-level=WARN"])
    stream = io.StringIO()
    app.log.handlers[0].setStream(stream)
    logging.getLogger("coderunner.worker").info("hidden")
    logging.getLogger("coderunner.worker").warning("shown")
    assert [json.loads(line)["msg"] for line in stream.getvalue().splitlines()] == ["shown"]
