"""Start a trusted runner process per submission, fast.

Each submission is graded in its own process, so test modules and the ``solution``
stand-in never leak between submissions. Starting a fresh interpreter and importing the
runner costs about 50 ms of CPU, so processes are forked from a fork server that has
imported the runner (and pytest, which test files may use) once.

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


def _child(job: dict, conn: Connection) -> None:
    from grading_service.grading.runner import run_job

    try:
        conn.send(run_job(job))
    finally:
        conn.close()


class RunnerFailed(RuntimeError):
    """The runner process died, hung or sent nothing: an infrastructure fault."""


async def run_in_fresh_process(job: dict, limit_seconds: float) -> dict:
    """Run ``runner.run_job(job)`` in a new process forked from the fork server."""
    ctx = _fork_context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(job, send), daemon=True)
    try:
        await asyncio.to_thread(proc.start)
        send.close()
        if not await asyncio.to_thread(receive.poll, limit_seconds):
            raise RunnerFailed("the test runner did not finish")
        try:
            result = receive.recv()
        except (EOFError, OSError):
            raise RunnerFailed(f"the test runner died (exit code {proc.exitcode})") from None
        if not isinstance(result, dict):
            raise RunnerFailed("the test runner gave no result")
        return result
    finally:
        receive.close()
        if proc.is_alive():
            await asyncio.to_thread(proc.join, 2)
        if proc.is_alive():
            proc.kill()
            await asyncio.to_thread(proc.join, 2)
