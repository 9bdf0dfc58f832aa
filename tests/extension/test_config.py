"""CodeRunnerConfig defaults and validation."""

from __future__ import annotations

import pytest
from traitlets import TraitError
from traitlets.config import Config

from extension.config import CodeRunnerConfig


def test_defaults_come_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODERUNNER_GRADER_URL", "http://172.18.0.1:8890/services/grader")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok")
    config = CodeRunnerConfig()
    assert config.grader_url == "http://172.18.0.1:8890/services/grader/"
    assert config.grader_token == "tok"
    assert config.problems_dir == "problems"
    assert config.request_timeout_seconds == 20


def test_traitlets_config_overrides_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODERUNNER_GRADER_URL", "http://env/")
    c = Config()
    c.CodeRunnerConfig.grader_url = "http://configured/grader/"
    c.CodeRunnerConfig.problems_dir = "/exercises/"
    config = CodeRunnerConfig(config=c)
    assert config.grader_url == "http://configured/grader/"
    assert config.problems_dir == "exercises"


@pytest.mark.parametrize("folder", ["", "/", "../out", "a/../b"])
def test_problems_dir_must_stay_inside_root(folder: str) -> None:
    with pytest.raises(TraitError):
        CodeRunnerConfig(problems_dir=folder)
