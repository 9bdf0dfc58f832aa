"""Grading one submission: ``Grader`` around the sandbox and the runner process.

Most tests use sandboxes and a runner that only pretend (fakes that inherit the real
classes), so the score, the memory-limit remap, fault handling and result capping are
checked without Docker; the last ones grade through a real sandbox.
"""

from __future__ import annotations

import json
import marshal
from pathlib import Path

import docker
import pytest

from grading_service.content.store import Problem, load_problem
from grading_service.grading import grader as grader_module
from grading_service.grading.grader import Grader, InfraFault
from grading_service.grading.runner_launcher import RunnerFailed
from grading_service.grading.sandbox import (
    INSTANCE_LABEL,
    SandboxError,
    SandboxFactory,
    SandboxPool,
)

GOOD = "def solve(n):\n    return 2 * n\n"


class FakeSandboxes(SandboxFactory):
    """Hands out made-up container ids and records what happens to them."""

    def __init__(self, **kwargs) -> None:
        super().__init__(image="fake:latest", **kwargs)
        self.started: list[str] = []
        self.removed: list[str] = []
        self.oom: set[str] = set()
        self.fail_start = False

    async def start(self, memory_limit_mb: int | None = None) -> str:
        if self.fail_start:
            raise SandboxError("could not start a sandbox from fake:latest: daemon gone")
        container_id = f"c{len(self.started)}" + "0" * 20
        self.started.append(container_id)
        return container_id

    async def oom_killed(self, container_id: str) -> bool:
        return container_id in self.oom

    async def remove(self, container_id: str) -> None:
        self.removed.append(container_id)

    async def retire(self, container_id: str) -> None:
        self.removed.append(container_id)

    def image_id(self) -> str:
        return "sha256:fake"


class FakePool(SandboxPool):
    def __init__(self, factory: SandboxFactory) -> None:
        super().__init__(factory, size=0)
        self.acquired: list[int | None] = []

    async def acquire(self, memory_limit_mb: int | None = None) -> str:
        self.acquired.append(memory_limit_mb)
        return "pooled" + "0" * 20


@pytest.fixture
def problem(tmp_path: Path, write_problem) -> Problem:
    return load_problem(
        write_problem(
            tmp_path,
            meta={"time_limit_seconds": 3, "memory_limit_mb": 64},
        )
    )


@pytest.fixture
def runner(monkeypatch):
    """The runner process, scripted: set ``outcome`` (a dict or an exception to raise)."""

    class Script:
        outcome: dict | Exception = {}
        jobs: list[tuple[dict, float]] = []

    script = Script()

    async def run(job: dict, limit_seconds: float) -> dict:
        script.jobs.append((job, limit_seconds))
        if isinstance(script.outcome, Exception):
            raise script.outcome
        return dict(script.outcome)

    monkeypatch.setattr(grader_module, "run_in_fresh_process", run)
    return script


def outcome(verdict: str, passed: int, total: int, **more) -> dict:
    tests = [
        {
            "name": f"test_{n}",
            "status": "pass" if n < passed else "fail",
            "visibility": "hidden",
            "message": "",
        }
        for n in range(total)
    ]
    return {
        "verdict": verdict,
        "message": "",
        "passed": passed,
        "total": total,
        "tests": tests,
        **more,
    }


def test_runner_job_carries_what_the_runner_needs(problem) -> None:
    sandboxes = FakeSandboxes(max_output_bytes=1234, docker_socket="/run/docker.sock")
    job = Grader(sandboxes).runner_job(problem, GOOD, "abc123")
    compiled = job.pop("compiled_tests")  # the test files' byte code, compiled once
    assert set(compiled) == {t["path"] for t in problem.test_files()}
    assert all(marshal.loads(code).co_filename in compiled for code in compiled.values())
    assert job == {
        "container_id": "abc123",
        "docker_socket": "/run/docker.sock",
        "kind": "function",
        "source": GOOD,
        "tests": problem.test_files(),
        "time_limit_seconds": 3.0,
        "max_output_bytes": 1234,
        "solution_names": list(problem.solution_names),
        "test_dir": str(problem.directory),
        "data_files": {},
    }


async def test_score_follows_passed_tests_and_the_sandbox_is_removed(problem, runner) -> None:
    sandboxes = FakeSandboxes()
    grader = Grader(sandboxes, runner_overhead_seconds=5)
    await grader.start()
    runner.outcome = outcome("failed", 2, 3)
    result = await grader.grade(problem, GOOD, submission_id="s1")
    await grader.close()
    assert result["status"] == "graded" and result["verdict"] == "failed"
    assert (result["score"], result["max_score"]) == (6.67, 10)
    assert (result["passed"], result["total"]) == (2, 3)
    assert result["image"] == "sha256:fake" and len(result["tests"]) == 3
    job, limit = runner.jobs[0]
    assert job["container_id"] == sandboxes.started[0] and limit == 3 + 5
    assert sandboxes.removed == sandboxes.started


async def test_a_warm_pool_is_used_when_there_is_one(problem, runner) -> None:
    sandboxes = FakeSandboxes()
    pool = FakePool(sandboxes)
    grader = Grader(sandboxes, pool=pool)
    runner.outcome = outcome("passed", 1, 1)
    result = await grader.grade(problem, GOOD)
    await grader.drain_removals()
    assert result["score"] == 10 and result["image"] == "fake:latest"  # no start(): the tag
    assert pool.acquired == [64] and sandboxes.started == []
    assert sandboxes.removed == ["pooled" + "0" * 20]


@pytest.mark.parametrize(("oom", "verdict"), [(True, "memory_limit"), (False, "crashed")])
async def test_a_crash_is_a_memory_limit_only_when_the_sandbox_ran_out_of_memory(
    problem, runner, oom: bool, verdict: str
) -> None:
    sandboxes = FakeSandboxes()
    sandboxes.oom = {"c0" + "0" * 20} if oom else set()
    grader = Grader(sandboxes)
    runner.outcome = outcome("crashed", 0, 1, message="Killed")
    result = await grader.grade(problem, GOOD)
    await grader.close()
    assert result["verdict"] == verdict and result["score"] == 0
    if oom:
        assert result["message"] == "Your code used more than the 64 MiB memory limit."


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(outcome("internal_error", 0, 0), id="runner reports internal_error"),
        pytest.param(RunnerFailed("the test runner did not finish"), id="runner hung or died"),
    ],
)
async def test_runner_faults_are_infra_faults_and_the_sandbox_still_goes(
    problem, runner, failure
) -> None:
    sandboxes = FakeSandboxes()
    grader = Grader(sandboxes)
    runner.outcome = failure
    with pytest.raises(InfraFault):
        await grader.grade(problem, GOOD)
    await grader.close()
    assert sandboxes.removed == sandboxes.started and len(sandboxes.started) == 1


async def test_no_sandbox_is_an_infra_fault(problem, runner) -> None:
    sandboxes = FakeSandboxes()
    sandboxes.fail_start = True
    with pytest.raises(InfraFault, match="daemon gone"):
        await Grader(sandboxes).grade(problem, GOOD)
    assert runner.jobs == []


async def test_an_oversized_result_drops_output_then_cuts_tests(problem, runner) -> None:
    grader = Grader(FakeSandboxes(), max_result_bytes=4000)
    big = outcome("failed", 1, 2)
    for test in big["tests"]:
        test["stdout"] = "x" * 10_000
    runner.outcome = big
    result = await grader.grade(problem, GOOD)
    assert [t["stdout"] for t in result["tests"]] == ["", ""]
    assert all(t["stdout_dropped"] for t in result["tests"])
    assert "tests_truncated" not in result

    many = outcome("failed", 0, 200)
    for test in many["tests"]:
        test["message"] = "y" * 1000
    runner.outcome = many
    result = await grader.grade(problem, GOOD)
    await grader.close()
    assert len(json.dumps(result)) <= 4000
    assert result["tests_truncated"] and 0 < len(result["tests"]) < 200
    assert (result["passed"], result["total"]) == (0, 200)  # the score is not cut


async def test_grades_in_a_real_sandbox_and_removes_it(
    problem, sandbox_image, new_instance_name
) -> None:
    sandboxes = SandboxFactory(image=sandbox_image, instance_name=new_instance_name())
    grader = Grader(sandboxes)
    await grader.start()
    result = await grader.grade(problem, GOOD, submission_id="real")
    await grader.close()
    assert result["verdict"] == "passed" and result["score"] == 10
    assert result["image"].startswith("sha256:")
    assert (
        docker.from_env().api.containers(
            all=True, filters={"label": f"{INSTANCE_LABEL}={sandboxes.instance_name}"}
        )
        == []
    )


async def test_a_missing_image_is_an_infra_fault(problem, docker_client, new_instance_name) -> None:
    sandboxes = SandboxFactory(
        image="coderunner-missing-image:none", instance_name=new_instance_name()
    )
    grader = Grader(sandboxes)
    await grader.start()  # only logged: grading reports the fault per submission
    assert grader.image_id == ""
    with pytest.raises(InfraFault, match="could not start a sandbox"):
        await grader.grade(problem, GOOD)


async def test_a_verdict_records_the_grader_version_next_to_the_image(problem, runner) -> None:
    from grading_service import __version__

    sandboxes = FakeSandboxes()
    grader = Grader(sandboxes)
    await grader.start()
    runner.outcome = outcome("passed", 1, 1)
    result = await grader.grade(problem, GOOD, submission_id="s-version")
    await grader.close()
    assert result["grader_version"] == __version__
    assert result["image"] == "sha256:fake"  # the image the verdict was computed in
    assert json.loads(json.dumps(result))["grader_version"] == __version__  # stored as is
