"""Statuses, verdicts and test outcomes are defined once (records.py); the front end's
copy is generated from them and must be current."""

from __future__ import annotations

from typing import get_args

from grading_service import records
from grading_service.storage import FINAL
from hub_config.settings import ROOT


def test_the_front_ends_values_are_generated_from_records_and_current() -> None:
    generated = (ROOT / "labextension" / "src" / "apiValues.ts").read_text()
    assert generated == records.typescript(), (
        "labextension/src/apiValues.ts is stale: run "
        "`.venv/bin/python -m grading_service.records > labextension/src/apiValues.ts`"
    )


def test_final_statuses_are_statuses_and_storage_uses_them() -> None:
    assert set(records.FINAL_STATUSES) <= set(get_args(records.SubmissionStatus))
    assert FINAL == records.FINAL_STATUSES


def test_every_verdict_a_runner_or_grader_gives_is_a_known_verdict() -> None:
    from grading_service.grading.channel import SandboxFault, SandboxOutputLimit, SandboxTimeout

    produced = {"passed", "failed", "syntax_error", "memory_limit", "internal_error"}
    produced |= {f.verdict for f in (SandboxFault, SandboxOutputLimit, SandboxTimeout)}
    assert produced == set(records.VERDICTS)
