"""The grading service reads its options as JupyterHub does: a config file
(``coderunner_grader_config.py`` in the working directory, or ``--config PATH``), then the
command line; every component is created with ``parent=self`` so ``c.<Class>.*`` reaches
it. No Redis, MongoDB or Docker is contacted: ``initialize`` only builds the clients."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from jupyterhub.services.auth import HubAuth
from traitlets.config import Configurable

from grading_service.app import ConfigError, GradingService, main
from hub_config.settings import ROOT

GOOD = {
    "mongodb_uri": "mongodb://127.0.0.1:1/",
    "redis_url": "redis://127.0.0.1:1/0",
    "content_dir": str(ROOT / "content"),
}

CONFIG = textwrap.dedent("""
    c.Admission.group_limits = {"exam-room": {"rate_per_minute": 2, "daily_quota": 20}}
    c.HubAuth.cache_max_age = 7
    c.HubIdentity.groups_cache_seconds = 11.0
    c.VerdictNotifier.recheck_seconds = 0.5
    c.GradingService.max_wait_seconds = 12.0
    c.GradingService.executor_threads = 8
    c.GradingService.mongodb_timeout_seconds = 1.5
    c.SandboxFactory.max_memory_limit_mb = 200
    c.SandboxPool.start_memory_limit_mb = 96
    c.WorkerPool.concurrency = 3
""")


pytestmark = pytest.mark.usefixtures("service_env")


def started(argv: list[str] | None = None, **options: object) -> GradingService:
    app = GradingService(**{**GOOD, **options})
    app.initialize(argv or [])
    return app


def assert_config_applied(app: GradingService) -> None:
    assert app.admission.group_limits == {"exam-room": {"rate_per_minute": 2, "daily_quota": 20}}
    assert app.hub_auth.cache_max_age == 7
    assert app.identity.hub.groups_cache_seconds == 11.0
    assert app.notifier.recheck_seconds == 0.5
    assert app.max_wait_seconds == 12.0
    assert app.executor_threads == 8
    assert app.storage.client.options.server_selection_timeout == 1.5
    assert app.sandboxes.max_memory_limit_mb == 200
    assert app.pool.start_memory_limit_mb == 96
    assert app.workers.concurrency == 3


def test_config_file_in_the_working_directory_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "coderunner_grader_config.py").write_text(CONFIG)
    app = started()
    assert app.loaded_config_files == [str(tmp_path / "coderunner_grader_config.py")]
    assert_config_applied(app)


def test_config_option_names_a_file_anywhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "etc" / "grader.py"
    elsewhere.parent.mkdir()
    elsewhere.write_text(CONFIG)
    assert_config_applied(started([f"--config={elsewhere}"]))


def test_command_line_wins_over_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "coderunner_grader_config.py").write_text(CONFIG)
    app = started(["--HubAuth.cache_max_age=3", "--Admission.daily_quota=5"])
    assert app.hub_auth.cache_max_age == 3
    assert app.admission.daily_quota == 5
    assert app.admission.group_limits["exam-room"]["daily_quota"] == 20


def test_without_a_config_file_defaults_hold() -> None:
    app = started()
    assert app.loaded_config_files == []
    assert app.hub_auth.cache_max_age == 60
    assert app.hub_auth.access_scopes == {"access:services!service=grader"}
    assert app.identity.hub.groups_cache_seconds == 60.0
    assert app.notifier.recheck_seconds == 2.0
    assert app.max_wait_seconds == 30.0
    assert app.storage.client.options.server_selection_timeout == 5.0


def test_hub_auth_scopes_can_be_configured(tmp_path: Path) -> None:
    (tmp_path / "coderunner_grader_config.py").write_text(
        'c.HubAuth.access_scopes = {"access:services!service=grader-b"}\n'
    )
    assert started().hub_auth.access_scopes == {"access:services!service=grader-b"}


def test_a_missing_named_config_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.py.*does not exist"):
        started([f"--config={tmp_path / 'nowhere.py'}"])


def test_a_broken_config_file_stops_the_start_naming_the_file(tmp_path, capsys) -> None:
    (tmp_path / "coderunner_grader_config.py").write_text("c.Admission.daily_quota = (\n")
    with pytest.raises(SystemExit) as exit_info:
        main([*(f"--GradingService.{k}={v}" for k, v in GOOD.items())])
    assert exit_info.value.code == 2
    assert "coderunner_grader_config.py: SyntaxError" in capsys.readouterr().err


def test_deprecated_hub_cache_seconds_is_passed_on_to_hub_auth() -> None:
    assert started(hub_cache_seconds=9).hub_auth.cache_max_age == 9


def test_deprecated_memory_options_are_passed_on(tmp_path: Path) -> None:
    (tmp_path / "coderunner_grader_config.py").write_text(
        "c.SandboxFactory.memory_limit_mb = 100\nc.SandboxPool.memory_limit_mb = 90\n"
    )
    app = started()
    assert app.sandboxes.max_memory_limit_mb == 100
    assert app.pool.start_memory_limit_mb == 90


def test_generate_config_prints_every_option_and_starts_nothing(capsys) -> None:
    main(["--generate-config"])
    out = capsys.readouterr().out
    for option in (
        "c.GradingService.max_wait_seconds",
        "c.GradingService.executor_threads",
        "c.GradingService.mongodb_timeout_seconds",
        "c.HubAuth.cache_max_age",
        "c.HubIdentity.groups_cache_seconds",
        "c.VerdictNotifier.recheck_seconds",
        "c.SandboxFactory.max_memory_limit_mb",
        "c.SandboxPool.start_memory_limit_mb",
        "c.Admission.group_limits",
    ):
        assert f"# {option} = " in out, option


# HubAuth is
# JupyterHub's own.
OURS = [cls for cls in GradingService.classes if cls.__name__ != "HubAuth"]


@pytest.mark.parametrize("cls", [GradingService, *OURS], ids=lambda cls: cls.__name__)
def test_options_have_help_and_say_environment_defaults_one_way(cls: type[Configurable]) -> None:
    for name, trait in cls.class_traits(config=True).items():
        if name not in cls.__dict__:  # inherited from traitlets' Application
            continue
        text = " ".join(trait.help.split())
        assert len(text) > 20, f"{cls.__name__}.{name} needs a help text"
        assert "Env:" not in text and not re.search(r"\benv [A-Z]", text), (name, text)
        for variable in re.findall(r"\$[A-Z][A-Z0-9_]+", text):
            assert re.search(rf"Default: [^.]*\{variable}", text), (name, text)


def test_hub_auth_is_a_child_of_the_application() -> None:
    app = started()
    assert isinstance(app.hub_auth, HubAuth)
    assert app.hub_auth.parent is app
    assert app.identity.hub.parent is app
    assert app.notifier.parent is app
