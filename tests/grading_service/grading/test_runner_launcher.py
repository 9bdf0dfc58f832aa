"""Runner processes: one per submission, forked ahead of need, never reused."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from grading_service.grading import runner_launcher
from grading_service.grading.runner_launcher import run_in_fresh_process, stop_spare_runners

# A job the runner rejects at once: enough to show which process ran it.
NOT_A_JOB = {"not_a_field": 1}


async def spares_ready() -> list[int]:
    """The pids of the spare runners once all are forked."""
    for _ in range(200):
        if len(runner_launcher._spares) == runner_launcher.SPARE_RUNNERS:
            return [r.proc.pid for r in runner_launcher._spares]
        await asyncio.sleep(0.05)
    raise AssertionError("the spare runners were not forked")


@pytest.fixture
async def launcher():
    yield
    await stop_spare_runners()


async def test_a_job_runs_in_a_spare_that_then_ends_and_is_replaced(launcher) -> None:
    first = await run_in_fresh_process(NOT_A_JOB, 30)
    assert first["verdict"] == "internal_error" and "not_a_field" in first["message"]
    spares = await spares_ready()
    used = runner_launcher._spares[0]
    result = await run_in_fresh_process(NOT_A_JOB, 30)
    assert result["verdict"] == "internal_error"
    # It ran this job and ends (waited for beside the next steps): never reused.
    if runner_launcher._reaping:
        await asyncio.wait(set(runner_launcher._reaping), timeout=5)
    assert not used.proc.is_alive()
    after = await spares_ready()
    assert spares[0] not in after and spares[1] in after


async def test_a_spare_that_died_is_passed_over(launcher) -> None:
    await run_in_fresh_process(NOT_A_JOB, 30)
    await spares_ready()
    for runner in runner_launcher._spares:
        os.kill(runner.proc.pid, signal.SIGKILL)
        runner.proc.join(5)
    result = await run_in_fresh_process(NOT_A_JOB, 30)
    assert result["verdict"] == "internal_error" and "not_a_field" in result["message"]


async def test_stopping_ends_every_spare(launcher) -> None:
    await run_in_fresh_process(NOT_A_JOB, 30)
    await spares_ready()
    spares = list(runner_launcher._spares)
    await stop_spare_runners()
    assert runner_launcher._spares == []
    assert not any(runner.proc.is_alive() for runner in spares)


async def test_the_result_comes_back_before_the_runner_has_exited_and_stop_waits_for_it(
    launcher,
) -> None:
    await run_in_fresh_process(NOT_A_JOB, 30)
    await spares_ready()
    used = runner_launcher._spares[0]
    await run_in_fresh_process(NOT_A_JOB, 30)
    await stop_spare_runners()
    assert not runner_launcher._reaping and not used.proc.is_alive()
