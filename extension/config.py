"""Configuration of the Code Runner server extension.

Every option is a traitlet on :class:`CodeRunnerConfig`, settable in
``jupyter_server_config.py`` as ``c.CodeRunnerConfig.<name>`` or on the command line as
``--CodeRunnerConfig.<name>=...``. Nothing here is secret to the learner: the token is the
learner server's own hub token, which the learner's kernels can read anyway.
"""

from __future__ import annotations

import os

from traitlets import Float, TraitError, Unicode, default, validate
from traitlets.config import LoggingConfigurable


def _with_trailing_slash(url: str) -> str:
    url = url.strip()
    return url if not url or url.endswith("/") else url + "/"


class CodeRunnerConfig(LoggingConfigurable):
    """Where the grading service is and where opened problems go."""

    grader_url = Unicode(
        config=True,
        help="""Base URL of the grading service; the API lives at ``<grader_url>api/...``.

        Default: the environment variable ``CODERUNNER_GRADER_URL`` (empty if unset). Behind
        JupyterHub this is the hub-managed service route, for example
        ``http://172.18.0.1:8890/services/grader/``. A trailing slash is added if missing.
        Change it when the grader is reached at another address (another proxy or port).
        """,
    )

    @default("grader_url")
    def _default_grader_url(self) -> str:
        # dynamic defaults skip @validate, so normalise here too
        return _with_trailing_slash(os.environ.get("CODERUNNER_GRADER_URL", ""))

    @validate("grader_url")
    def _validate_grader_url(self, proposal: dict) -> str:
        return _with_trailing_slash(proposal["value"])

    grader_token = Unicode(
        config=True,
        help="""Token sent to the grading service as ``Authorization: token <t>``.

        Default: the environment variable ``JUPYTERHUB_API_TOKEN``, the learner server's own
        hub token, so the grader identifies the learner through the hub. That token needs the
        scope ``access:services!service=grader`` (``c.Spawner.server_token_scopes``). Only
        change it for tests or when running outside JupyterHub. Never logged.
        """,
    )

    @default("grader_token")
    def _default_grader_token(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    problems_dir = Unicode(
        "problems",
        config=True,
        help="""Folder, relative to the server root, where opened problems are written.

        Default: ``problems``. Created on first use. Files already in it are never
        overwritten: opening a problem again returns the learner's existing file.
        """,
    )

    @validate("problems_dir")
    def _validate_problems_dir(self, proposal: dict) -> str:
        path: str = proposal["value"].strip().strip("/")
        if not path or any(part in ("", ".", "..") for part in path.split("/")):
            raise TraitError(f"problems_dir must be a relative folder path, not {path!r}")
        return path

    request_timeout_seconds = Float(
        20.0,
        config=True,
        help="""Seconds to wait for the grading service to answer one request (connect and
        response each). Default: 20. A submission is answered as soon as it is queued, so this
        only needs raising if the grader sits behind a slow link.
        """,
    )

    home_quota_mb = Float(
        config=True,
        help="""Most the learner's home may hold, in MB (0: no quota; the disk's own free
        space still applies). A save or upload that would pass it is refused with a message
        saying how much is left; the learner's panel shows the space left.

        Default: the environment variable ``CODERUNNER_HOME_QUOTA_MB`` (set by the hub from
        ``CODERUNNER_LEARNER_HOME_QUOTA_MB``), else 0.
        """,
    )

    @default("home_quota_mb")
    def _default_home_quota(self) -> float:
        return _float_env("CODERUNNER_HOME_QUOTA_MB", 0.0)

    max_upload_mb = Float(
        config=True,
        help="""Largest single file a learner may upload or save, in MB (0: no cap).

        Default: the environment variable ``CODERUNNER_MAX_UPLOAD_MB``, else 50.
        """,
    )

    @default("max_upload_mb")
    def _default_max_upload(self) -> float:
        return _float_env("CODERUNNER_MAX_UPLOAD_MB", 50.0)

    @validate("home_quota_mb", "max_upload_mb")
    def _validate_megabytes(self, proposal: dict) -> float:
        value = float(proposal["value"])
        if value < 0:
            raise TraitError(f"{proposal['trait'].name} must be 0 or more, not {value}")
        return value


def _float_env(name: str, fallback: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else fallback
    except ValueError:
        raise TraitError(f"{name} must be a number of MB, not {raw!r}") from None
