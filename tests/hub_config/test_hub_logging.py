"""The hub logs JSON lines like the grading service, at the level of $CODERUNNER_LOG_LEVEL."""

from __future__ import annotations

import io
import json
import logging

import pytest
from jupyterhub.app import JupyterHub

from grading_service.log import JSONFormatter
from tests.hub_config.test_jupyterhub_config import load


@pytest.fixture
def restore_logging():
    saved = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level)
        for name in ("JupyterHub", "")
    }
    yield
    for name, (handlers, level) in saved.items():
        logging.getLogger(name).handlers[:] = handlers
        logging.getLogger(name).setLevel(level)


def test_hub_config_formats_its_console_log_as_json(monkeypatch, tmp_path, restore_logging):
    monkeypatch.delenv("CODERUNNER_LOG_LEVEL", raising=False)
    c = load(monkeypatch, tmp_path)
    assert c.JupyterHub.logging_config["formatters"]["console"]["class"] == (
        "grading_service.log.JSONFormatter"
    )
    assert c.JupyterHub.log_level == logging.INFO
    hub = JupyterHub(config=c)  # traitlets applies logging_config as JupyterHub starts
    (handler,) = hub.log.handlers
    assert isinstance(handler.formatter, JSONFormatter)
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    hub.log.info("hub message")
    entry = json.loads(stream.getvalue())
    assert (entry["logger"], entry["level"], entry["msg"]) == ("JupyterHub", "info", "hub message")


@pytest.mark.parametrize(("value", "level"), [("debug", 10), ("WARNING", 30), ("ERROR", 40)])
def test_hub_log_level_comes_from_the_environment_and_reaches_the_grader(
    monkeypatch, tmp_path, value, level
):
    c = load(monkeypatch, tmp_path, CODERUNNER_LOG_LEVEL=value)
    assert c.JupyterHub.log_level == level
    (grader,) = [svc for svc in c.JupyterHub.services if svc["name"] == "grader"]
    assert grader["environment"]["CODERUNNER_LOG_LEVEL"] == value


def test_an_unknown_hub_log_level_stops_the_hub_saying_why(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="CODERUNNER_LOG_LEVEL"):
        load(monkeypatch, tmp_path, CODERUNNER_LOG_LEVEL="loud")


def test_the_hub_also_writes_a_rotating_json_file_when_asked(
    monkeypatch, tmp_path, restore_logging
):
    from grading_service.log import SizeAndAgeRotatingFileHandler

    path = tmp_path / "logs" / "hub.log"
    c = load(monkeypatch, tmp_path, CODERUNNER_HUB_LOG_FILE=str(path))
    hub = JupyterHub(config=c)
    (file_handler,) = [h for h in hub.log.handlers if isinstance(h, SizeAndAgeRotatingFileHandler)]
    assert file_handler.maxBytes == 10 * 1024 * 1024
    hub.log.warning("to the file")
    file_handler.flush()
    entry = json.loads(path.read_text().splitlines()[-1])
    assert (entry["level"], entry["msg"]) == ("warning", "to the file")
