"""Settings for grading services run as real processes (``python -m grading_service
grader``) in tests: their own database, stream and JWT secret on the session's servers,
and a batch grader's token for them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from grading_service.edge.tokens import mint, validate_secret


def grader_process_env(backing_services, sandbox_image: str, content: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "MONGODB_URI": backing_services.mongodb_uri,
        "REDIS_URL": backing_services.redis_url,
        "CODERUNNER_DB": f"t{secrets.token_hex(4)}",
        "CODERUNNER_STREAM": f"jobs:{secrets.token_hex(4)}",
        "CODERUNNER_CONTENT_DIR": str(content),
        "CODERUNNER_SANDBOX_IMAGE": sandbox_image,
        "CODERUNNER_GRADER_IP": "127.0.0.1",
        "CODERUNNER_JWT_SECRET": secrets.token_hex(32),
        "JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api",
        "JUPYTERHUB_API_TOKEN": "unused",
        **extra,
    }


def grader_token(env: dict) -> str:
    """A batch grader's JWT for the service ``env`` configures."""
    return mint(
        validate_secret(env["CODERUNNER_JWT_SECRET"]),
        "batch",
        role="grader",
        lifetime_seconds=600,
        issuer="coderunner",
        audience="coderunner-grader",
    )
