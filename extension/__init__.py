"""Code Runner's Jupyter Server extension: problems, submissions and progress for learners.

Runs in each learner's single-user server. It holds no secrets and no hidden tests: it
forwards to the grading service as the learner (see :mod:`extension.grader_client`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from .config import CodeRunnerConfig
from .grader_client import GraderClient
from .handlers import route_table
from .space import MB, HomeSpace

__all__ = ["CodeRunnerConfig", "GraderClient"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    config = CodeRunnerConfig(parent=serverapp)
    web_app = serverapp.web_app
    web_app.settings["coderunner_config"] = config
    web_app.settings["coderunner_grader"] = GraderClient(
        config.grader_url, config.grader_token, config.request_timeout_seconds
    )
    web_app.settings["coderunner_open_lock"] = asyncio.Lock()
    space = HomeSpace(
        serverapp.contents_manager.root_dir,
        quota_bytes=int(config.home_quota_mb * MB),
        max_upload_bytes=int(config.max_upload_mb * MB),
    )
    web_app.settings["coderunner_space"] = space
    space.install(serverapp.contents_manager)
    web_app.add_handlers(".*$", route_table(web_app.settings["base_url"]))
    serverapp.log.info(
        "Code Runner extension loaded; grading service: %s", config.grader_url or "(not set)"
    )
