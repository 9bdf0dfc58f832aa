"""LTI 1.3 sign-in (placeholder until it is written: see the issue note)."""

from __future__ import annotations

from typing import Any


def configure_lti(c: Any) -> None:
    raise SystemExit("LTI 1.3 sign-in is not configured yet")
