"""Grading on this machine (``--local``): the service's ``Grader`` with its own sandboxes.

Built as the grading service builds its workers' grader (``app.py``): a
``SandboxFactory`` for the sandbox image, a warm ``SandboxPool`` of started sandboxes
(one per job slot, at the problem's memory limit, so none needs adjusting), and a
``Grader`` that takes one fresh sandbox per file and removes it afterwards. The problem
comes from a ``ContentStore``, so its tests are loaded exactly as the service loads them.

This run's sandboxes carry their own instance label (``--instance``, by default
``batch-<random>``): clean-up at the start and the end removes only them, never the
sandboxes of a grading service sharing the Docker daemon.
"""

from __future__ import annotations

import asyncio
import multiprocessing.forkserver
import signal
from pathlib import Path

from ..content.store import ContentError, ContentStore, Problem
from ..grading import runner_launcher
from ..grading.grader import Grader, InfraFault
from ..grading.sandbox import SandboxFactory, SandboxPool
from .backend import Refused, Unavailable
from .results import Outcome


def start_runner_server() -> None:
    """Start the test runners' fork server now, with SIGINT ignored.

    A Ctrl-C in a terminal reaches the whole process group. The fork server and the
    runners it forks inherit an ignored SIGINT (across exec, and as the handler they
    reset to), so Ctrl-C reaches only this process, which then lets the files in flight
    finish instead of seeing their runners die. A fork server already running is left
    as it is.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runner_launcher._fork_context()  # sets the fork server's preloads first
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


class LocalBackend:
    """Grades with local Docker sandboxes (see the module docstring)."""

    mode = "local"

    def __init__(
        self, content_dir: Path, problem_id: str, *, image: str, instance: str, jobs: int
    ) -> None:
        self.content_dir = content_dir
        self.problem_id = problem_id
        self.jobs = jobs
        self.sandboxes = SandboxFactory(image=image, instance_name=instance)
        self.pool: SandboxPool | None = None
        self.grader: Grader | None = None
        self.problem: Problem | None = None
        self.max_score = 0.0

    async def start(self) -> None:
        try:
            content = ContentStore(self.content_dir)
        except ContentError as exc:
            raise Refused(f"content folder {self.content_dir}: {exc}") from None
        problem = content.get(self.problem_id)
        if problem is None:
            raise Refused(f"no problem {self.problem_id!r} in {self.content_dir}")
        self.problem = problem
        self.max_score = float(problem.points)
        try:
            await self.sandboxes.ping()
        except Exception as exc:  # noqa: BLE001 - any failure to reach the daemon
            raise Refused(
                f"Docker is not reachable at {self.sandboxes.docker_socket}: {exc}"
            ) from None
        try:
            await asyncio.to_thread(self.sandboxes.image_id)
        except Exception as exc:  # noqa: BLE001 - docker.errors.ImageNotFound and kin
            raise Refused(
                f"sandbox image {self.sandboxes.image!r} not found ({exc}); build it with "
                "`make image` or pass --image"
            ) from None
        start_runner_server()
        await self.sandboxes.remove_all()  # left by an earlier run with this --instance
        self.pool = SandboxPool(
            self.sandboxes, size=self.jobs, start_memory_limit_mb=problem.memory_limit_mb
        )
        self.grader = Grader(self.sandboxes, pool=self.pool)
        await self.pool.start()
        await self.grader.start()

    async def grade(self, code: str) -> Outcome:
        assert self.grader is not None and self.problem is not None, "start() first"
        try:
            result = await self.grader.grade(self.problem, code)
        except InfraFault as exc:
            raise Unavailable(str(exc)) from None
        return {
            "verdict": result["verdict"],
            "message": result["message"],
            "score": result["score"],
            "max_score": result["max_score"],
            "passed": result.get("passed", 0),
            "total": result.get("total", 0),
            "tests": result["tests"],
            "image": self.sandboxes.image,
            "image_id": self.grader.image_id,
            "submission_id": "",
        }

    async def close(self) -> None:
        """Wait for used sandboxes' removal, empty the pool, remove anything left."""
        if self.grader is not None:
            await self.grader.close()
        if self.pool is not None:
            await self.pool.close()
        try:
            await self.sandboxes.remove_all()
        except Exception:  # noqa: BLE001 - Docker gone: nothing more we can remove
            pass
