"""Start a trusted runner process per submission, fast.

Each submission is graded in its own process, so test modules and the ``solution``
stand-in never leak between submissions. Starting a fresh interpreter and importing the
runner costs about 50 ms of CPU, so processes are forked from a fork server that has
imported the runner (and pytest, which test files may use) once.

Forking still takes about 10 ms, so a few runner processes are forked ahead of need
(``SPARE_RUNNERS``): each waits for its one job, and a replacement is forked as soon as
one is taken, so the fork is off the submission's path. A spare runs one job and exits,
as any runner does.

Note: multiprocessing re-imports the parent's ``__main__`` module in each child unless
it is a package's ``__main__``; run the service as ``python -m grading_service`` or the
``coderunner`` script (both cheap), not as ``python -m grading_service.<module>``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

# Runner processes kept forked and waiting; one covers a submission sent the moment the
# last verdict came, a second a worker or two finishing together.
SPARE_RUNNERS = 2

_context: Any = None


def _fork_context() -> Any:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        preload = ["grading_service.grading.runner"]
        if importlib.util.find_spec("pytest") is not None:
            preload.append("pytest")
        ctx.set_forkserver_preload(preload)
        _context = ctx
    return _context


def _child(conn: Connection) -> None:
    """Wait for one job, grade it, send the result, and end."""
    from grading_service.grading.runner import run_job

    try:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # never used: the service is stopping
            return
        conn.send(run_job(job))
    finally:
        conn.close()


class RunnerFailed(RuntimeError):
    """The runner process died, hung or sent nothing: an infrastructure fault."""


class _Runner:
    """A runner process forked and waiting for its job on ``conn``."""

    def __init__(self) -> None:
        ctx = _fork_context()
        self.conn, child_end = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_child, args=(child_end,), daemon=True)
        try:
            self.proc.start()
        finally:
            child_end.close()

    def usable(self) -> bool:
        return self.proc.is_alive()

    def stop(self) -> None:
        """End an unused runner: with its pipe closed, it returns without a job."""
        self.conn.close()
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)


_spares: list[_Runner] = []
_refill: asyncio.Task | None = None
_reaping: set[asyncio.Task] = set()  # used runners being waited for (``_reap``)


async def _fork_spares() -> None:
    while len(_spares) < SPARE_RUNNERS:
        try:
            _spares.append(await asyncio.to_thread(_Runner))
        except Exception:  # noqa: BLE001 - the next submission forks its own, and says why
            return


def _keep_spares() -> None:
    global _refill
    loop = asyncio.get_running_loop()
    # A task of another (ended) event loop, as in tests, no longer runs.
    running = _refill is not None and not _refill.done() and _refill.get_loop() is loop
    if SPARE_RUNNERS > 0 and not running:
        _refill = loop.create_task(_fork_spares())


async def _take_runner() -> _Runner:
    while _spares:
        runner = _spares.pop(0)
        if runner.usable():
            return runner
        await asyncio.to_thread(runner.stop)
    try:
        return await asyncio.to_thread(_Runner)
    except Exception as exc:  # noqa: BLE001 - no process is our fault, never the learner's
        raise RunnerFailed(f"could not start a test runner: {exc}") from exc


async def run_in_fresh_process(job: dict, limit_seconds: float) -> dict:
    """Run ``runner.run_job(job)`` in a process of its own, forked from the fork server
    (ahead of time when a spare is ready)."""
    runner = await _take_runner()
    _keep_spares()
    conn, proc = runner.conn, runner.proc
    try:
        try:
            conn.send(job)
        except OSError:
            raise RunnerFailed(f"the test runner died (exit code {proc.exitcode})") from None
        if not await asyncio.to_thread(conn.poll, limit_seconds):
            raise RunnerFailed("the test runner did not finish")
        try:
            result = conn.recv()
        except (EOFError, OSError):
            raise RunnerFailed(f"the test runner died (exit code {proc.exitcode})") from None
        if not isinstance(result, dict):
            raise RunnerFailed("the test runner gave no result")
        return result
    finally:
        conn.close()
        if proc.is_alive():
            # It is ending (or hung): wait for it beside the next steps, so that storing
            # the verdict does not wait for a process to exit.
            task = asyncio.get_running_loop().create_task(_reap(proc))
            _reaping.add(task)
            task.add_done_callback(_reaping.discard)


async def _reap(proc: Any) -> None:
    """Wait for a used runner to exit (a moment), killing it when it does not."""
    await asyncio.to_thread(proc.join, 2)
    if proc.is_alive():
        proc.kill()
        await asyncio.to_thread(proc.join, 2)


async def stop_spare_runners() -> None:
    """End the runners forked ahead of need (at shutdown), and wait for used ones."""
    global _refill
    loop = asyncio.get_running_loop()
    if _refill is not None and _refill.get_loop() is loop:
        _refill.cancel()
    _refill = None
    while _spares:
        await asyncio.to_thread(_spares.pop().stop)
    reaping = {task for task in _reaping if task.get_loop() is loop}
    if reaping:
        await asyncio.wait(reaping, timeout=10)
