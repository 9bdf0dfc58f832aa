"""Grading one submission in its own fresh sandbox.

``Grader`` is the one place that turns (problem, code) into a result: it takes a started
sandbox (from the warm pool when there is one), runs the trusted test runner against it
in a fresh process, turns an out-of-memory crash into ``memory_limit``, computes the
score and caps the result's size. The queue's workers, ``coderunner content validate``
and batch grading all grade through it.

It raises ``InfraFault`` for what a learner cannot cause (no sandbox, a runner that
died or hung, a runner that reports an internal error); the caller decides about
retries. A used sandbox is removed off the verdict's path; ``drain_removals`` and
``close`` wait for those removals.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, cast

from traitlets import Float, Integer
from traitlets.config import LoggingConfigurable

from .. import __version__, metrics
from ..content.store import Problem
from ..records import GradeResult, RunnerOutcome, SubmissionStatus, Verdict
from .runner_launcher import RunnerFailed, run_in_fresh_process, stop_spare_runners
from .sandbox import SandboxFactory, SandboxPool
from .test_code import CompiledTests

log = logging.getLogger("coderunner.grader")


class InfraFault(RuntimeError):
    """Grading could not happen for reasons that are not the learner's."""


def final_result(
    status: SubmissionStatus,
    verdict: Verdict,
    message: str,
    score: float,
    max_score: float,
    **more: Any,
) -> GradeResult:
    """A result document as stored on a submission (tests filled in by the caller)."""
    result: GradeResult = {
        "status": status,
        "verdict": verdict,
        "message": message,
        "score": score,
        "max_score": max_score,
        "tests": [],
    }
    return cast(GradeResult, {**result, **more})


class Grader(LoggingConfigurable):
    max_result_bytes = Integer(
        256 * 1024,
        help="""Largest stored result in bytes (as JSON). Beyond it, captured output is
        dropped first, then failure messages are shortened, then the per-test list is
        cut (the result says so). Every stored submission may grow this large, so
        raise it only when learners need more of their output back.""",
    ).tag(config=True)

    runner_overhead_seconds = Float(
        30.0,
        help="""Time the trusted test runner gets on top of the problem's time limit
        (process start, sandbox round trips, collecting results) before it counts as
        hung, which is an infrastructure fault and retried. The learner's own time limit
        is enforced inside the runner, so this only guards against our side hanging.""",
    ).tag(config=True)

    def __init__(
        self, sandboxes: SandboxFactory, *, pool: SandboxPool | None = None, **kwargs: Any
    ) -> None:
        """``pool`` hands out started sandboxes; without one, each grade starts its own.
        The pool's start and close belong to whoever created it."""
        super().__init__(**kwargs)
        self.sandboxes = sandboxes
        self.pool = pool
        self.image_id = ""
        self._removals: set[asyncio.Task] = set()
        self.compiled_tests = CompiledTests()

    async def start(self) -> None:
        """Look up the sandbox image's id, recorded on every result.

        A missing image is only logged: grading then fails per submission with an
        infrastructure fault (retried), and results name the image by its tag.
        """
        try:
            self.image_id = await asyncio.to_thread(self.sandboxes.image_id)
        except Exception as exc:  # noqa: BLE001 - reported; grading retries per job
            log.warning("sandbox image %s not found: %s", self.sandboxes.image, exc)

    async def close(self, grace_seconds: float = 30.0) -> None:
        """Wait for used sandboxes to be removed, and end the runner processes forked
        ahead of need. Call after grading has stopped."""
        await self.drain_removals(grace_seconds)
        await stop_spare_runners()

    async def drain_removals(self, grace_seconds: float = 30.0) -> None:
        """Wait until the used sandboxes scheduled for removal are gone."""
        if self._removals:
            await asyncio.wait(set(self._removals), timeout=grace_seconds)

    def runner_job(self, problem: Problem, code: str, container_id: str) -> dict:
        """What the trusted runner process needs to grade ``code`` in ``container_id``."""
        tests = problem.test_files()
        return {
            "container_id": container_id,
            "docker_socket": self.sandboxes.docker_socket,
            "kind": problem.kind,
            "source": code,
            "tests": tests,
            "compiled_tests": self.compiled_tests.for_tests(tests),
            "time_limit_seconds": problem.time_limit_seconds,
            "max_output_bytes": self.sandboxes.max_output_bytes,
            **problem.runner_settings(),
        }

    async def grade(self, problem: Problem, code: str, *, submission_id: str = "") -> GradeResult:
        """Grade ``code`` against ``problem``'s tests in its own fresh sandbox.

        Returns the result to store (status ``graded``). Raises ``InfraFault`` when the
        sandbox or the runner failed, or the runner itself reports an internal error.
        """
        extra = {"submission_id": submission_id} if submission_id else {}
        started = time.monotonic()
        container_id = await self._acquire(problem)
        log.debug("grading in sandbox %s", container_id[:12], extra=extra)
        try:
            job = self.runner_job(problem, code, container_id)
            outcome = await self._run_runner(
                job, problem.time_limit_seconds + self.runner_overhead_seconds
            )
            if outcome.get("verdict") == "crashed" and not await self._daemon_answers():
                # The sandbox died with the Docker daemon (a restart kills every
                # container): our fault, not the learner's crash.
                raise InfraFault("the Docker daemon went away while grading")
            if outcome.get("verdict") == "crashed" and await self.sandboxes.oom_killed(
                container_id
            ):
                outcome["verdict"] = "memory_limit"
                outcome["message"] = (
                    f"Your code used more than the {problem.memory_limit_mb} MiB memory limit."
                )
        finally:
            self._remove_later(container_id)
        if outcome.get("verdict") == "internal_error":
            raise InfraFault(f"runner: {outcome.get('message')}")
        elapsed = time.monotonic() - started
        metrics.GRADING_SECONDS.observe(elapsed)
        passed, total = int(outcome.get("passed", 0)), int(outcome.get("total", 0))
        score = round(problem.points * passed / total, 2) if total else 0
        result = final_result(
            "graded",
            outcome["verdict"],
            outcome.get("message", ""),
            score,
            problem.points,
            passed=passed,
            total=total,
            image=self.image_id or self.sandboxes.image,
            grader_version=__version__,
            grading_ms=round(elapsed * 1000, 1),
        )
        result["tests"] = outcome.get("tests", [])
        if outcome.get("hidden_detail"):
            result["hidden_detail"] = outcome["hidden_detail"]
        return self._cap(result)

    async def _acquire(self, problem: Problem) -> str:
        try:
            if self.pool is not None:
                return await self.pool.acquire(problem.memory_limit_mb)
            return await self.sandboxes.start(problem.memory_limit_mb)
        except Exception as exc:  # noqa: BLE001 - no sandbox is never the learner's doing
            raise InfraFault(f"no sandbox: {exc}") from exc

    async def _run_runner(self, job: dict, limit_seconds: float) -> RunnerOutcome:
        """The runner's outcome (the benchmark times this step by wrapping it)."""
        try:
            return cast(RunnerOutcome, await run_in_fresh_process(job, limit_seconds))
        except RunnerFailed as exc:
            raise InfraFault(str(exc)) from None

    async def _daemon_answers(self) -> bool:
        try:
            await asyncio.wait_for(self.sandboxes.ping(), 2.0)
        except Exception:  # noqa: BLE001 - whatever the client raises, it did not answer
            return False
        return True

    def _remove_later(self, container_id: str) -> None:
        """Remove a used sandbox off the verdict's path (``drain_removals`` waits)."""
        task = asyncio.create_task(self.sandboxes.retire(container_id))
        self._removals.add(task)
        task.add_done_callback(self._removals.discard)

    def _cap(self, result: GradeResult) -> GradeResult:
        """Keep the stored result within ``max_result_bytes``."""
        if len(json.dumps(result, default=str)) <= self.max_result_bytes:
            return result
        result.pop("hidden_detail", None)  # the teachers' extra goes first
        if len(json.dumps(result, default=str)) <= self.max_result_bytes:
            return result
        for test in result["tests"]:
            if test.get("stdout"):
                test["stdout"] = ""
                test["stdout_dropped"] = True
        while len(json.dumps(result, default=str)) > self.max_result_bytes and result["tests"]:
            for test in result["tests"]:
                test["message"] = test.get("message", "")[:200]
            if len(json.dumps(result, default=str)) > self.max_result_bytes:
                result["tests"] = result["tests"][: len(result["tests"]) // 2]
                result["tests_truncated"] = True
        return result
