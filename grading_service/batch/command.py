"""``coderunner grade``: the command line, the run loop, Ctrl-C and the summary.

A run: find the files and their learners (``inputs``), open the output folder's record
(``results``), skip the files it already holds, start a backend (``local`` or
``remote``), then grade with ``--jobs`` workers taking files in order, appending one
record line per finished file. At the end, interrupted or not: release the backend
(this run's sandboxes are removed), write ``results.csv`` and ``results.json`` from the
record, print the summary.

Ctrl-C (SIGINT), the first time: no new file starts; the files in flight finish and
are recorded (each is bounded by the problem's time limit, or by ``--timeout`` through
a service); then clean-up, outputs, the summary, exit status 130. A second Ctrl-C, or
SIGTERM, stops the files in flight at once: they are not recorded. Either way the
record holds exactly the finished files, and running the same command again grades
only the rest.

Exit status: 0 every file has a row; 1 some files could not be graded (infrastructure
faults, unreadable files; the summary lists them); 2 the run could not start or was
refused (bad arguments, no Docker or image, unknown problem, refused token, output
folder in use); 130 interrupted (143 on SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .backend import Backend, Refused, Unavailable
from .inputs import Found, InputError, find_submissions
from .progress import Progress
from .results import (
    RECORD_NAME,
    Entry,
    Key,
    Outcome,
    Record,
    RecordBusy,
    summarize,
    utc_now,
    write_outputs,
)
from .source import Module, module_from, sha256

log = logging.getLogger("coderunner.batch")
T = TypeVar("T")

EXIT_OK, EXIT_NOT_ALL_GRADED, EXIT_REFUSED = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
RETRY_BACKOFF_SECONDS = 2.0
EXECUTOR_GRACE_SECONDS = 60.0

DESCRIPTION = """\
Grade learners' .py files and notebooks against a problem's hidden tests, with the same
grader and sandboxes as live grading, and write the results as CSV and JSON.

Learner names come from the paths. PATH is a class folder, a file, or nbgrader's
exchange folder:
  class/alice.py, class/bob.ipynb        -> alice, bob   (a file right in a folder: its name)
  class/carol/answer.ipynb               -> carol        (deeper: the top-level folder below PATH)
  alice.py given as PATH                 -> alice
  .../submitted/dan/ps1/ps1.ipynb        -> dan          (nbgrader, whatever PATH points at)
Pass the class folder itself, not class/*. Two files for one learner are both graded
(one row each; the file column says which). Names starting with . or _ are skipped.

Resuming: every finished file is appended to DIR/record.jsonl (keyed by problem, path
and a hash of the content). A second run skips what the record holds (use --regrade to
grade again) and grades changed files again. Ctrl-C once: no new file starts, the ones
in flight finish, the outputs and a summary are written (exit 130); Ctrl-C twice:
the files in flight are dropped too. Run the same command again to carry on.

An empty file is verdict 'empty'; a file that cannot become code (a broken notebook,
IPython magics, not UTF-8, too large) is 'invalid'; both score 0 and count as graded.
Other verdicts are the grader's: passed, failed, syntax_error, timeout, memory_limit,
output_limit, crashed.
"""

EPILOG = """\
examples:
  coderunner grade --problem add-two --local class-7a/
  coderunner grade --problem add-two --local --jobs 3 course/submitted/*/week1
  CODERUNNER_TOKEN=$(coderunner token --subject marking --role grader) \\
    coderunner grade --problem add-two --url https://hub.example.org/services/grader class/

exit status: 0 all graded; 1 some files not graded (see the summary; run again);
2 could not start; 130 interrupted.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coderunner grade",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument("--problem", required=True, metavar="ID", help="the problem's id")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--local",
        action="store_true",
        help="grade on this machine in Docker sandboxes (needs Docker and the sandbox image)",
    )
    mode.add_argument(
        "--url",
        metavar="URL",
        help="grade through the grading service at URL (e.g. http://127.0.0.1:8890 or "
        "https://HUB/services/grader); needs a token",
    )
    p.add_argument(
        "--token",
        default=os.environ.get("CODERUNNER_TOKEN"),
        metavar="JWT",
        help="with --url: a JWT from `coderunner token --subject NAME --role grader` "
        "(default: $CODERUNNER_TOKEN; prefer it, a command line is visible to other users)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for results.csv, results.json and the record (default: ./grades-ID)",
    )
    p.add_argument(
        "--jobs", type=int, default=2, metavar="N", help="files graded at once (default: 2)"
    )
    p.add_argument(
        "--regrade",
        action="store_true",
        help="grade every file again, even those the record holds",
    )
    p.add_argument(
        "--attempts",
        type=int,
        default=3,
        metavar="N",
        help="tries per file when grading fails for reasons that are not the learner's "
        "(Docker, the service); after the last one the run stops (default: 3)",
    )
    local = p.add_argument_group("with --local")
    local.add_argument(
        "--content",
        type=Path,
        default=Path(os.environ.get("CODERUNNER_CONTENT_DIR") or "content"),
        metavar="DIR",
        help="content folder (default: $CODERUNNER_CONTENT_DIR, else ./content)",
    )
    local.add_argument(
        "--image",
        help="sandbox image (default: $CODERUNNER_SANDBOX_IMAGE, else, in a source "
        "checkout, the one `make image` built)",
    )
    local.add_argument(
        "--instance",
        metavar="NAME",
        help="label of this run's sandbox containers, removed at the start and the end "
        "(default: batch-<random>; never a running grading service's own)",
    )
    remote = p.add_argument_group("with --url")
    remote.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="longest wait for one file's verdict, queueing included (default: 900)",
    )
    return p


@dataclass
class Planned:
    """The files of this run's input, and which of them still need grading."""

    found: list[Found]
    keys: dict[Path, Key] = field(default_factory=dict)  # the key of each file's content
    todo: list[Found] = field(default_factory=list)
    skipped: int = 0
    unreadable: list[tuple[Found, str]] = field(default_factory=list)

    def missing(self, record: Record) -> list[Found]:
        """The files that have no row in the record (not graded yet)."""
        return [f for f in self.found if f.path not in self.keys or self.keys[f.path] not in record]


class TrackedExecutor(ThreadPoolExecutor):
    """The loop's default executor, able to wait until the calls given to it are done.

    A grade cancelled by a second Ctrl-C may leave a Docker call running in a thread
    (a sandbox being created for it); waiting for the threads before the last sweep of
    this run's sandboxes makes sure such a late one is removed too.
    """

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="coderunner-grade")
        self.running: set[Future] = set()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        self.running.add(future)
        future.add_done_callback(self.running.discard)
        return future

    async def idle(self, timeout_seconds: float) -> None:
        if self.running:
            await asyncio.wait(
                [asyncio.wrap_future(f) for f in list(self.running)], timeout=timeout_seconds
            )


def plan(found: list[Found], record: Record, problem_id: str, regrade: bool) -> Planned:
    """Hash every file; skip those the record already holds (unless ``regrade``)."""
    planned = Planned(found)
    for item in found:
        try:
            digest = sha256(item.path.read_bytes())
        except OSError as exc:
            planned.unreadable.append((item, f"cannot read: {exc.strerror or exc}"))
            continue
        key = (problem_id, str(item.path), digest)
        planned.keys[item.path] = key
        if key in record and not regrade:
            planned.skipped += 1
        else:
            planned.todo.append(item)
    return planned


class Run:
    """Grades the planned files with ``jobs`` workers (see the module docstring)."""

    def __init__(
        self,
        backend: Backend,
        record: Record,
        planned: Planned,
        problem_id: str,
        *,
        jobs: int,
        attempts: int,
        progress: Progress,
    ) -> None:
        self.backend = backend
        self.record = record
        self.planned = planned
        self.problem_id = problem_id
        self.jobs = jobs
        self.attempts = attempts
        self.progress = progress
        self.pending: deque[Found] = deque(planned.todo)
        self.graded = 0
        self.errors: list[tuple[Found, str]] = []
        self.stop_reason = ""
        self.refused = ""
        self.interrupts = 0
        self.terminated = False
        self.cancelled = False
        self.in_flight = 0
        self._workers: list[asyncio.Task] = []

    @property
    def stopping(self) -> bool:
        return bool(self.stop_reason)

    def stop(self, reason: str) -> None:
        """Start no new file (the first reason is kept)."""
        self.stop_reason = self.stop_reason or reason

    def on_signal(self, signum: int) -> None:
        if signum == signal.SIGTERM:
            self.terminated = True
            self.stop("terminated")
            self.cancel()
            return
        self.interrupts += 1
        self.stop("interrupted")
        if self.interrupts == 1 and self.in_flight:
            self.progress.message(
                f"coderunner grade: interrupted: letting {self.in_flight} file(s) in flight "
                "finish (Ctrl-C again to drop them)"
            )
        elif self.interrupts > 1:
            if self.in_flight:
                self.progress.message(
                    f"coderunner grade: dropping {self.in_flight} file(s) in flight "
                    "(not recorded; the next run grades them)"
                )
            self.cancel()

    def cancel(self) -> None:
        self.cancelled = True
        for task in self._workers:
            task.cancel()

    async def run(self) -> None:
        self._workers = [asyncio.create_task(self._worker()) for _ in range(self.jobs)]
        await asyncio.gather(*self._workers, return_exceptions=True)

    async def _worker(self) -> None:
        while self.pending and not self.stopping:
            item = self.pending.popleft()
            self.in_flight += 1
            try:
                await self._grade_file(item)
            except Exception as exc:  # noqa: BLE001 - a bug of ours: report it, go on
                log.exception("grading %s failed", item.file)
                self._error(item, f"unexpected error: {type(exc).__name__}: {exc}")
            finally:
                self.in_flight -= 1

    async def _grade_file(self, item: Found) -> None:
        started = time.monotonic()
        try:
            data = item.path.read_bytes()
        except OSError as exc:
            self._error(item, f"cannot read: {exc.strerror or exc}")
            return
        module = module_from(data, item.kind)
        attempts = 0
        if isinstance(module, Module):
            try:
                outcome, attempts = await self._grade_with_retries(item, module.code)
            except Refused as exc:
                self.refused = str(exc)
                self.stop(f"refused: {exc}")
                self._error(item, str(exc))
                return
            except Unavailable as exc:
                self._error(item, str(exc))
                self.stop(f"{item.file} could not be graded: {exc}")
                return
            mode = self.backend.mode
        else:
            outcome = unusable_outcome(module.verdict, module.message, self.backend.max_score)
            mode = "file"
        digest = sha256(data)
        self.planned.keys[item.path] = (self.problem_id, str(item.path), digest)
        entry: Entry = {
            "v": 1,
            "problem_id": self.problem_id,
            "path": str(item.path),
            "sha256": digest,
            "learner": item.learner,
            "file": item.file,
            "mode": mode,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "graded_at": utc_now(),
            **outcome,
            "score": float(outcome["score"]),
            "max_score": float(outcome["max_score"]),
        }
        if attempts > 1:
            entry["attempts"] = attempts
        self.record.append(entry)
        self.graded += 1
        self.progress.graded(outcome["verdict"] == "passed")

    async def _grade_with_retries(self, item: Found, code: str) -> tuple[Outcome, int]:
        """The outcome and the attempts it took; ``Unavailable`` after the last one."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await self.backend.grade(code), attempt
            except Unavailable as exc:
                if attempt == self.attempts or self.stopping:
                    raise
                self.progress.message(
                    f"coderunner grade: {item.file}: {exc}; trying again "
                    f"({attempt + 1} of {self.attempts})"
                )
                await asyncio.sleep(RETRY_BACKOFF_SECONDS * attempt)
        raise AssertionError("unreachable")

    def _error(self, item: Found, why: str) -> None:
        self.errors.append((item, why))
        self.progress.error()


def unusable_outcome(verdict: str, message: str, max_score: float) -> Outcome:
    """The row of a file with no module to grade: score 0, no tests."""
    return {
        "verdict": verdict,
        "message": message,
        "score": 0,
        "max_score": max_score,
        "passed": 0,
        "total": 0,
        "tests": [],
        "image": "",
        "image_id": "",
        "submission_id": "",
    }


def make_backend(args: argparse.Namespace, default_image: Callable[[], str | None]) -> Backend:
    """The backend the arguments ask for; raises ``Refused`` for missing settings."""
    if args.url:
        from .remote import RemoteBackend

        if not args.url.startswith(("http://", "https://")):
            raise Refused(f"--url must start with http:// or https://, got {args.url!r}")
        if not args.token:
            raise Refused("--url needs a token: --token JWT or $CODERUNNER_TOKEN")
        return RemoteBackend(
            args.url, args.token, args.problem, jobs=args.jobs, timeout_seconds=args.timeout
        )
    from .local import LocalBackend

    image = args.image or default_image()
    if not image:
        raise Refused(
            "no sandbox image: pass --image, set CODERUNNER_SANDBOX_IMAGE, or build one "
            "with `make image`"
        )
    return LocalBackend(
        args.content,
        args.problem,
        image=image,
        instance=args.instance or f"batch-{secrets.token_hex(4)}",
        jobs=args.jobs,
    )


def summary_lines(
    args: argparse.Namespace,
    planned: Planned,
    record: Record,
    run: Run | None,
    outputs: tuple[Path, Path],
) -> list[str]:
    """The closing summary: counts, verdicts, mean score, what was not graded and why."""
    entries = rows_of(planned, record)
    graded_now = run.graded if run else 0
    errors = (run.errors if run else []) + planned.unreadable
    missing = len(planned.found) - len(entries)
    stats = summarize(entries, missing)
    verdicts = ", ".join(f"{v} {n}" for v, n in stats["verdicts"].items()) or "none"
    lines = [
        f"{args.problem}: {len(planned.found)} files: graded {graded_now}, "
        f"skipped {planned.skipped} already graded, not graded {missing}",
        f"verdicts: {verdicts}",
    ]
    if stats["mean_score"] is not None:
        lines.append(f"mean score: {stats['mean_score']:g} of {stats['max_score']:g}")
    for item, why in errors[:20]:
        lines.append(f"not graded: {item.file} ({item.learner}): {why}")
    if len(errors) > 20:
        lines.append(f"... and {len(errors) - 20} more")
    if run and run.stop_reason:
        lines.append(f"stopped: {run.stop_reason}")
    if missing:
        lines.append("run the same command again to grade the files not graded yet")
    csv_path, json_path = outputs
    lines.append(f"results: {csv_path}, {json_path} (record: {csv_path.parent / RECORD_NAME})")
    return lines


def rows_of(planned: Planned, record: Record) -> list[Entry]:
    """The record's line for each file of this run's input that has one."""
    rows = [record.entries[k] for k in planned.keys.values() if k in record]
    return sorted(rows, key=lambda e: (e["learner"], e["file"]))


async def grade(args: argparse.Namespace, default_image: Callable[[], str | None]) -> int:
    """One run, from finding the files to the summary; the exit status."""
    try:
        found = find_submissions(args.paths)
    except InputError as exc:
        return _fail(str(exc))
    if not found:
        return _fail(
            "no .py files or notebooks (.ipynb) found in " + " ".join(map(str, args.paths))
        )
    out = args.out or Path(f"grades-{args.problem}")
    try:
        record = Record.open(out / RECORD_NAME)
    except (RecordBusy, OSError) as exc:
        return _fail(str(exc))
    loop = asyncio.get_running_loop()
    executor = TrackedExecutor(max_workers=4 * args.jobs + 8)
    loop.set_default_executor(executor)
    planned = plan(found, record, args.problem, args.regrade)
    progress = Progress(len(planned.todo))
    backend: Backend | None = None
    run: Run | None = None
    try:
        if planned.todo:  # else all done already: no Docker, no service needed
            backend = make_backend(args, default_image)
            run = Run(
                backend,
                record,
                planned,
                args.problem,
                jobs=args.jobs,
                attempts=args.attempts,
                progress=progress,
            )
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, run.on_signal, signum)
            await backend.start()
            if not run.stopping:
                progress.show(force=True)
                await run.run()
    except Refused as exc:  # before anything was graded: say why, leave no trace
        record.close(remove_if_new=True)
        return _fail(str(exc))
    finally:
        progress.finish()
        if backend is not None:
            await backend.close()
            if run is not None and run.cancelled:
                await executor.idle(EXECUTOR_GRACE_SECONDS)
                await backend.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    outputs = write_outputs(
        out,
        args.problem,
        rows_of(planned, record),
        [{"learner": f.learner, "file": f.file} for f in planned.missing(record)],
    )
    record.close()
    for line in summary_lines(args, planned, record, run, outputs):
        print(line)
    if run is None:
        return EXIT_OK
    if run.terminated:
        return EXIT_TERMINATED
    if run.interrupts:
        return EXIT_INTERRUPTED
    if run.refused:
        return _fail(run.refused)
    if run.errors or planned.unreadable:
        return EXIT_NOT_ALL_GRADED
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"coderunner grade: {message}", file=sys.stderr)
    return EXIT_REFUSED


def main(argv: list[str], *, default_image: Callable[[], str | None] = lambda: None) -> int:
    """Run ``coderunner grade``; the exit status."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="coderunner grade: %(name)s: %(message)s")
    if args.jobs < 1 or args.attempts < 1:
        parser().error("--jobs and --attempts must be at least 1")
    try:
        return asyncio.run(grade(args, default_image))
    except KeyboardInterrupt:  # before the run's own handler was in place
        print("coderunner grade: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
