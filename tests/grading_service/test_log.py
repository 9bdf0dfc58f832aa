"""Logs: the level from config or $CODERUNNER_LOG_LEVEL, a log file rotated by size and
age, and the effective configuration at start with every secret redacted."""

from __future__ import annotations

import io
import json
import logging
import os
import time

import pytest
from traitlets import Unicode
from traitlets.config import Configurable

from grading_service import __version__
from grading_service.app import GradingService, main
from grading_service.log import (
    JSONFormatter,
    SizeAndAgeRotatingFileHandler,
    effective_config,
    level_from_env,
    log_effective_config,
    parse_level,
    redact,
)
from hub_config.settings import ROOT

GOOD = {
    "mongodb_uri": "mongodb://127.0.0.1:1/",
    "redis_url": "redis://127.0.0.1:1/0",
    "content_dir": str(ROOT / "content"),
}


@pytest.fixture(autouse=True)
def no_log_env(monkeypatch):
    monkeypatch.delenv("CODERUNNER_LOG_LEVEL", raising=False)
    monkeypatch.delenv("CODERUNNER_LOG_FILE", raising=False)


# --- level ---------------------------------------------------------------------------------


def test_level_names_and_numbers() -> None:
    assert [parse_level(v) for v in ("debug", "INFO", "warn", "Warning", "error", "50")] == [
        10,
        20,
        30,
        30,
        40,
        50,
    ]
    with pytest.raises(ValueError, match="not a log level"):
        parse_level("loud")
    assert level_from_env(environ={}) == logging.INFO
    assert level_from_env(environ={"CODERUNNER_LOG_LEVEL": "debug"}) == logging.DEBUG


@pytest.mark.usefixtures("service_env")
def test_service_level_from_env_and_config_and_command_line(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CODERUNNER_LOG_LEVEL", "warning")
    app = GradingService(**GOOD)
    app.initialize([])
    assert app.log_level == logging.WARNING and app.log.level == logging.WARNING
    assert logging.getLogger("coderunner.worker").getEffectiveLevel() == logging.WARNING

    app = GradingService(**GOOD)
    app.initialize(["--log-level=DEBUG"])  # the command line wins over the variable
    assert app.log.level == logging.DEBUG

    (tmp_path / "coderunner_grader_config.py").write_text("c.GradingService.log_level = 'ERROR'\n")
    app = GradingService(**GOOD)
    app.initialize([])  # and the config file too
    assert app.log.level == logging.ERROR


@pytest.mark.usefixtures("service_env")
def test_an_unknown_level_is_a_configuration_error(monkeypatch, capsys) -> None:
    monkeypatch.setenv("CODERUNNER_LOG_LEVEL", "loud")
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "CODERUNNER_LOG_LEVEL" in capsys.readouterr().err


# --- files ---------------------------------------------------------------------------------


def lines_in(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def file_logger(handler: logging.Handler) -> logging.Logger:
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger(f"coderunner-test-files-{id(handler)}")
    logger.propagate = False
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    return logger


def test_log_file_rotates_by_size_and_keeps_backup_count(tmp_path) -> None:
    path = tmp_path / "logs" / "grader.log"
    handler = SizeAndAgeRotatingFileHandler(
        path, max_bytes=300, backup_count=3, max_age_seconds=3600
    )
    log = file_logger(handler)
    for n in range(60):
        log.info("line %03d", n)
    handler.close()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["grader.log", "grader.log.1", "grader.log.2", "grader.log.3"]
    for p in path.parent.iterdir():
        assert p.stat().st_size <= 300
    # The newest lines are in the current file, the ones before in .1; all JSON.
    assert lines_in(path)[-1]["msg"] == "line 059"
    assert lines_in(path.with_name("grader.log.1"))[-1]["msg"] < lines_in(path)[0]["msg"]


def test_rotated_files_older_than_the_age_limit_are_deleted(tmp_path) -> None:
    path = tmp_path / "grader.log"
    old, recent = path.with_name("grader.log.2"), path.with_name("grader.log.1")
    old.write_text('{"msg": "a week ago"}\n')
    recent.write_text('{"msg": "an hour ago"}\n')
    week_ago, hour_ago = time.time() - 7 * 86400, time.time() - 3600
    os.utime(old, (week_ago, week_ago))
    os.utime(recent, (hour_ago, hour_ago))
    unrelated = tmp_path / "grader.log.bak"
    unrelated.write_text("not ours")
    os.utime(unrelated, (week_ago, week_ago))

    handler = SizeAndAgeRotatingFileHandler(
        path, max_bytes=10_000, backup_count=5, max_age_seconds=2 * 86400
    )
    assert not old.exists() and recent.exists() and unrelated.exists()  # at start, too

    # Later, at a rollover, the (now shifted) recent file is past the limit as well.
    log = file_logger(handler)
    log.info("today")
    for p in handler.rotated_files():
        os.utime(p, (week_ago, week_ago))
    handler.doRollover()
    handler.close()
    (kept,) = handler.rotated_files()  # only the file just rotated: its lines are today's
    assert lines_in(kept)[0]["msg"] == "today"
    assert unrelated.exists()


def test_log_file_also_rotates_daily_and_a_start_begins_a_new_file(tmp_path) -> None:
    path = tmp_path / "grader.log"
    path.write_text('{"msg": "from the last run"}\n')
    handler = SizeAndAgeRotatingFileHandler(
        path, max_bytes=10_000, backup_count=5, max_age_seconds=86400, rotate_seconds=3600
    )
    assert lines_in(path.with_name("grader.log.1")) == [{"msg": "from the last run"}]
    log = file_logger(handler)
    log.info("first")
    handler.rollover_at = time.time() - 1  # an hour later
    log.info("second")
    handler.close()
    assert [e["msg"] for e in lines_in(path)] == ["second"]
    assert [e["msg"] for e in lines_in(path.with_name("grader.log.1"))] == ["first"]
    assert lines_in(path.with_name("grader.log.2")) == [{"msg": "from the last run"}]


@pytest.mark.usefixtures("service_env")
def test_service_writes_json_lines_to_its_log_file(tmp_path) -> None:
    path = tmp_path / "logs" / "grader.log"
    app = GradingService(**GOOD, log_file=str(path), log_max_bytes=4096, log_backup_count=2)
    app.initialize([])
    app.log.info("service message")
    logging.getLogger("coderunner.worker").info("module message")
    for handler in app.log.handlers:
        handler.flush()
    entries = lines_in(path)
    assert entries[0]["msg"] == "effective configuration"
    assert [e["msg"] for e in entries[1:]] == ["service message", "module message"]
    (handler,) = [h for h in app.log.handlers if isinstance(h, SizeAndAgeRotatingFileHandler)]
    assert handler.maxBytes == 4096 and handler.backupCount == 2
    handler.close()


# --- effective configuration -------------------------------------------------------------

SECRET = "9f2c1e7a5b3d4e6f8a0b1c2d3e4f5a6b"
TOKEN = "hubtoken-4c8e0a2b6d"
MONGO_PASSWORD = "m0ng0-pa55w0rd"
REDIS_PASSWORD = "r3dis-pa55"


class FakeSettings(Configurable):
    api_secret = Unicode(SECRET).tag(config=True)
    hub_token = Unicode(TOKEN).tag(config=True)
    mongodb_uri = Unicode(f"mongodb://grader:{MONGO_PASSWORD}@db1:27017,db2:27017/cr").tag(
        config=True
    )
    redis_url = Unicode(f"redis://:{REDIS_PASSWORD}@cache:6379/0").tag(config=True)
    ssl_key = Unicode("/etc/ssl/private/hub.key").tag(config=True)
    content_dir = Unicode("/srv/content").tag(config=True)
    empty_token = Unicode("").tag(config=True)


class FakeApp(Configurable):
    queue_stream = Unicode("coderunner:jobs").tag(config=True)

    def __init__(self) -> None:
        super().__init__()
        self.settings = FakeSettings(parent=self)


def test_the_configuration_line_redacts_every_secret() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = file_logger(handler)
    env = {
        "CODERUNNER_JWT_SECRET": SECRET,
        "JUPYTERHUB_API_TOKEN": TOKEN,
        "MONGODB_URI": f"mongodb://grader:{MONGO_PASSWORD}@db1/?authSource=admin",
        "CODERUNNER_ADMIN_PASSWORD": "adm1n-pa55",
        "CODERUNNER_CONTENT_DIR": "/srv/content",
        "HOME": "/root",
    }
    config = effective_config(FakeApp(), environ=env)
    log.info("effective configuration", extra={"version": __version__, "config": config})
    line = stream.getvalue()
    assert line.count("\n") == 1
    for secret in (SECRET, TOKEN, MONGO_PASSWORD, REDIS_PASSWORD, "adm1n-pa55", "hub.key"):
        assert secret not in line
    entry = json.loads(line)
    settings = entry["config"]["FakeSettings"]
    assert settings["api_secret"] == settings["hub_token"] == settings["ssl_key"] == "***"
    assert settings["mongodb_uri"] == "mongodb://grader:***@db1:27017,db2:27017/cr"
    assert settings["redis_url"] == "redis://:***@cache:6379/0"
    assert settings["content_dir"] == "/srv/content" and settings["empty_token"] == ""
    assert entry["config"]["FakeApp"] == {"queue_stream": "coderunner:jobs"}
    assert entry["config"]["env"] == {
        "CODERUNNER_ADMIN_PASSWORD": "***",
        "CODERUNNER_CONTENT_DIR": "/srv/content",
        "CODERUNNER_JWT_SECRET": "***",
        "JUPYTERHUB_API_TOKEN": "***",
        "MONGODB_URI": "mongodb://grader:***@db1/?authSource=admin",
    }
    assert entry["version"] == __version__


def test_redact_masks_nested_values_and_query_secrets() -> None:
    assert redact({"group_limits": {"a": {"daily_quota": 5}}, "tokens": ["x"]}) == {
        "group_limits": {"a": {"daily_quota": 5}},
        "tokens": "***",
    }
    assert redact("https://h/x?api_key=abc&page=2") == "https://h/x?api_key=***&page=2"
    assert redact("mongodb+srv://u:p%40ss@cluster/db") == "mongodb+srv://u:***@cluster/db"


@pytest.mark.usefixtures("service_env")
def test_the_service_logs_its_effective_configuration_at_start(monkeypatch, tmp_path) -> None:
    jwt_secret = os.environ["CODERUNNER_JWT_SECRET"]
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    monkeypatch.setenv("CODERUNNER_JWT_PREVIOUS_SECRETS", SECRET + "0" * 32)
    path = tmp_path / "grader.log"
    uri = f"mongodb://grader:{MONGO_PASSWORD}@127.0.0.1:1/"
    app = GradingService(**{**GOOD, "mongodb_uri": uri}, log_file=str(path))
    app.initialize([])
    for handler in app.log.handlers:
        handler.flush()
    text = path.read_text()
    for secret in (jwt_secret, TOKEN, MONGO_PASSWORD, SECRET):
        assert secret not in text
    (entry,) = [e for e in lines_in(path) if e["msg"] == "effective configuration"]
    config = entry["config"]
    assert entry["version"] == __version__
    assert config["GradingService"]["mongodb_uri"] == "mongodb://grader:***@127.0.0.1:1/"
    assert config["TokenConfig"]["jwt_previous_secrets"] == "***"
    assert config["HubAuth"]["api_token"] == "***"
    assert config["env"]["CODERUNNER_JWT_SECRET"] == "***"
    assert {"Grader", "WorkerPool", "SandboxFactory", "Admission"} <= set(config)
    for handler in app.log.handlers:
        handler.close()


def test_log_effective_config_writes_one_info_line() -> None:
    stream = io.StringIO()
    log = file_logger(logging.StreamHandler(stream))
    log_effective_config(log, FakeApp(), "9.9.9")
    (entry,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["level"] == "info" and entry["version"] == "9.9.9"
    assert entry["config"]["FakeSettings"]["hub_token"] == "***"
