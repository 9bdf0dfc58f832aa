"""REST handlers under ``<base_url>coderunner/api/``.

Everything the learner asks about problems, submissions and progress is forwarded to the
grading service; the only local work is writing a problem's starter file and reading the
learner's file back for a submission, both through the server's contents manager.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from http.client import responses
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async, url_path_join
from tornado import web

from grading_service.edge.notebook import NotebookError, notebook_source

from .config import CodeRunnerConfig
from .grader_client import GraderClient, GraderError, GraderReply
from .notebook_io import (
    FORMATS,
    build_notebook,
    build_script,
    is_valid_problem_id,
    link_assets,
    notebook_for_submission,
    problem_filename,
)
from .practice import PracticeTimeout, run_practice
from .space import HomeSpace

API_PREFIX = "coderunner/api"
_ID = r"(?P<{name}>[^/]+)"  # validated in the handler, so a bad id is a 400, not a 404
ASSESSMENT_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DATA_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
CHEATSHEET_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}--[a-z0-9][a-z0-9-]{0,63}")


class CodeRunnerHandler(APIHandler):
    """Base: JSON errors that carry their message (and Retry-After) to the client."""

    auth_resource = "coderunner"

    @property
    def coderunner_config(self) -> CodeRunnerConfig:
        return self.settings["coderunner_config"]

    @property
    def grader(self) -> GraderClient:
        return self.settings["coderunner_grader"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """``{"message", "reason"}`` like ``APIHandler``, but with the message formatted.

        ``APIHandler.write_error`` sends ``log_message`` without applying its args; messages
        here are raised as ``HTTPError(status, "%s", text)`` so that a "%" in a grader's or
        learner's text cannot break tornado's log line, hence the override.
        """
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if not isinstance(exc, web.HTTPError):
            super().write_error(status_code, **kwargs)
            return
        if isinstance(exc, GraderError) and exc.retry_after:
            self.set_header("Retry-After", exc.retry_after)
        message = exc.log_message or ""
        if message and exc.args:
            message = message % exc.args
        self.set_header("Content-Type", "application/json")
        extra = exc.extra if isinstance(exc, GraderError) else {}
        self.finish(
            json.dumps(
                {
                    "message": message or responses.get(status_code, "Error"),
                    "reason": exc.reason,
                    **extra,
                }
            )
        )

    def reply(self, answer: GraderReply) -> None:
        self.set_status(answer.status)
        self.finish(json.dumps(answer.body))

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object; an empty body is ``{}``."""
        if not self.request.body or not self.request.body.strip():
            return {}
        try:
            data = json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise web.HTTPError(400, "%s", f"Request body is not valid JSON: {e}") from e
        except RecursionError:  # the decoder's own depth limit
            raise web.HTTPError(
                400, "%s", "Request body is nested too deeply to be read."
            ) from None
        if not isinstance(data, dict):
            raise web.HTTPError(400, "%s", "Request body must be a JSON object.")
        return data


def check_problem_id(problem_id: str) -> str:
    if not is_valid_problem_id(problem_id):
        raise web.HTTPError(
            400,
            "%s",
            f"Invalid problem id {problem_id!r}: use 1-64 characters a-z, 0-9, '-' or '_', "
            "starting with a letter or digit.",
        )
    return problem_id


def check_assessment_id(assessment_id: Any) -> str:
    """An assessment id: like a problem id, 1-64 characters a-z, 0-9, '-' or '_'."""
    if not isinstance(assessment_id, str) or not ASSESSMENT_ID_RE.fullmatch(assessment_id):
        raise web.HTTPError(
            400,
            "%s",
            f"Invalid assessment id {assessment_id!r}: use 1-64 characters a-z, 0-9, '-' or "
            "'_', starting with a letter or digit.",
        )
    return assessment_id


class ProblemsHandler(CodeRunnerHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.list_problems())


class TracksHandler(CodeRunnerHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.list_tracks())


class ProblemHandler(CodeRunnerHandler):
    @web.authenticated
    @authorized
    async def get(self, problem_id: str) -> None:
        self.reply(await self.grader.get_problem(check_problem_id(problem_id)))


class ProblemAssetHandler(CodeRunnerHandler):
    """Statement images, fetched from the grader as the learner."""

    @web.authenticated
    @authorized
    async def get(self, problem_id: str, name: str) -> None:
        data, content_type = await self.grader.get_asset(check_problem_id(problem_id), name)
        if not content_type.startswith("image/") or "svg" in content_type:
            raise web.HTTPError(
                502, "%s", "The grading service sent something that is not an image."
            )
        self.set_header("Content-Type", content_type)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "private, max-age=3600")
        # APIHandler.finish would relabel the body as JSON.
        web.RequestHandler.finish(self, data)


class OpenProblemHandler(CodeRunnerHandler):
    """Writes ``<problems_dir>/<id>.ipynb`` or ``.py``; an existing file is never touched."""

    @web.authenticated
    @authorized
    async def post(self, problem_id: str) -> None:
        check_problem_id(problem_id)
        fmt = self.json_body().get("format", "notebook")
        if not isinstance(fmt, str) or fmt not in FORMATS:
            raise web.HTTPError(
                400, "%s", f"Unknown format {fmt!r}: use one of {', '.join(sorted(FORMATS))}."
            )
        cm = self.contents_manager
        path = url_path_join(self.coderunner_config.problems_dir, problem_filename(problem_id, fmt))  # type: ignore[arg-type]
        if await ensure_async(cm.file_exists(path)):
            await self._prepare_practice(problem_id)
            self.finish({"path": path, "created": False, "format": fmt})
            return

        problem = (await self.grader.get_problem(problem_id)).body
        if not isinstance(problem, dict):
            raise web.HTTPError(502, "%s", "The grading service sent a malformed problem.")
        title = str(problem.get("title") or problem_id)
        statement = link_assets(
            str(problem.get("statement") or ""),
            url_path_join(self.base_url, API_PREFIX, "problems", problem_id, "assets") + "/",
        )
        starter = str(problem.get("starter") or "")

        # Serialises check + save within this server, so two quick clicks on "open" cannot
        # both decide the file is missing (the second would overwrite the first).
        async with self.settings["coderunner_open_lock"]:
            if await ensure_async(cm.file_exists(path)):
                self.finish({"path": path, "created": False, "format": fmt})
                return
            await self._ensure_directory(self.coderunner_config.problems_dir)
            if fmt == "notebook":
                model = {
                    "type": "notebook",
                    "format": "json",
                    "content": build_notebook(problem_id, title, statement, starter),
                }
            else:
                model = {
                    "type": "file",
                    "format": "text",
                    "content": build_script(problem_id, title, statement, starter),
                }
            await ensure_async(cm.save(model, path))
        await self._prepare_practice(problem_id)
        self.set_status(201)
        self.finish({"path": path, "created": True, "format": fmt})

    async def _prepare_practice(self, problem_id: str) -> None:
        """The problem's data files beside its file, read-only, where learner code opens
        them by name (an existing file of that name is left alone). Fetching them also
        keeps the public tests here for the learner's first Check. Best effort: the
        problem opens anyway, and the next open (or Check) tries again."""
        try:
            checks = await public_checks(self.settings, self.grader, problem_id)
        except web.HTTPError as exc:
            self.log.warning("coderunner: no public checks for %s yet: %s", problem_id, exc)
            return
        data = checks.get("data")
        if not isinstance(data, dict):
            return
        cm = self.contents_manager
        for name, encoded in data.items():
            if not isinstance(name, str) or not DATA_NAME_RE.fullmatch(name):
                continue
            target = url_path_join(self.coderunner_config.problems_dir, name)
            if await ensure_async(cm.file_exists(target)):
                continue
            model = {"type": "file", "format": "base64", "content": str(encoded)}
            await ensure_async(cm.save(model, target))
            os_path = getattr(cm, "_get_os_path", None)  # local files: make it read-only
            if callable(os_path):
                await asyncio.to_thread(os.chmod, os_path(target), 0o444)

    async def _ensure_directory(self, folder: str) -> None:
        cm = self.contents_manager
        current = ""
        for part in folder.split("/"):
            current = url_path_join(current, part) if current else part
            if await ensure_async(cm.dir_exists(current)):
                continue
            if await ensure_async(cm.file_exists(current)):
                raise web.HTTPError(
                    409, "%s", f"Cannot create folder {current!r}: a file with that name exists."
                )
            await ensure_async(cm.save({"type": "directory"}, current))


class SubmissionsHandler(CodeRunnerHandler):
    """Sends the learner's notebook or code to the grader; answers the grader's 202.
    GET lists the learner's own submissions (``problem_id``, ``limit``, ``before``)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = {}
        for name in ("problem_id", "limit", "before"):
            value = self.get_argument(name, None)
            if value is not None:
                query[name] = value
        if "problem_id" in query:
            check_problem_id(query["problem_id"])
        self.reply(await self.grader.list_submissions(query))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        problem_id = body.get("problem_id")
        if not isinstance(problem_id, str):
            raise web.HTTPError(400, "%s", "Missing 'problem_id' (a string).")
        check_problem_id(problem_id)
        # Optional: the assessment this answer is for (absent or null: practice).
        assessment_id = body.get("assessment_id")
        if assessment_id is not None:
            check_assessment_id(assessment_id)
        path, code = body.get("path"), body.get("code")
        if (path is None) == (code is None):
            raise web.HTTPError(
                400, "%s", "Send exactly one of 'path' (a file in the server) or 'code'."
            )
        if code is not None:
            if not isinstance(code, str):
                raise web.HTTPError(400, "%s", "'code' must be a string.")
            payload: dict[str, Any] = {"problem_id": problem_id, "code": code}
        else:
            if not isinstance(path, str) or not path.strip("/"):
                raise web.HTTPError(400, "%s", "'path' must be a non-empty string.")
            payload = {"problem_id": problem_id, **await self._read_learner_file(path)}
        if assessment_id is not None:
            payload["assessment_id"] = assessment_id
        self.reply(await self.grader.submit(payload))

    async def _read_learner_file(self, path: str) -> dict[str, Any]:
        return await read_learner_file(self.contents_manager, path)


async def read_learner_file(cm: Any, path: str) -> dict[str, Any]:
    """``{"notebook": ...}`` or ``{"code": ...}`` from a file in the server root.

    The contents manager refuses paths outside its root or hidden files with a 4xx.
    """
    path = path.strip("/")
    if not await ensure_async(cm.file_exists(path)):
        raise web.HTTPError(404, "%s", f"No such file: {path}")
    if path.endswith(".ipynb"):
        model = await ensure_async(cm.get(path, content=True, type="notebook"))
        return {"notebook": notebook_for_submission(model["content"])}
    model = await ensure_async(cm.get(path, content=True, type="file", format="text"))
    return {"code": model["content"]}


class HintsHandler(CodeRunnerHandler):
    """The hints revealed so far (GET), or the next one (POST); the grader records it."""

    @web.authenticated
    @authorized
    async def get(self, problem_id: str) -> None:
        self.reply(await self.grader.get_hints(check_problem_id(problem_id)))

    @web.authenticated
    @authorized
    async def post(self, problem_id: str) -> None:
        self.reply(await self.grader.reveal_hint(check_problem_id(problem_id)))


class PracticeHandler(CodeRunnerHandler):
    """Base of Check and Run: the learner's file, read as the grader would read it."""

    async def learner_code(self) -> tuple[str, dict[str, Any]]:
        body = self.json_body()
        path = body.get("path")
        if not isinstance(path, str) or not path.strip("/"):
            raise web.HTTPError(400, "%s", "'path' (the file to check) is required.")
        found = await read_learner_file(self.contents_manager, path)
        if "notebook" in found:
            try:
                return notebook_source(found["notebook"]), body
            except NotebookError as exc:
                raise web.HTTPError(400, "%s", f"This notebook cannot be checked: {exc}.") from None
        return str(found["code"]), body

    async def public_checks(self, problem_id: str) -> dict[str, Any]:
        return await public_checks(self.settings, self.grader, check_problem_id(problem_id))

    async def practise(self, request: dict[str, Any], checks: dict[str, Any]) -> dict[str, Any]:
        limit = float(checks.get("time_limit_seconds") or 10)
        data = checks.get("data")
        if not isinstance(data, dict):
            data = {}
        try:
            return await run_practice(request, data, limit)
        except PracticeTimeout:
            return {"timed_out": True, "limit": limit}


#: How long a problem's public tests are kept by this server (a content reload on the
#: grading service reaches learners within this time).
CHECKS_MAX_AGE_SECONDS = 600.0


async def public_checks(
    settings: dict[str, Any], grader: GraderClient, problem_id: str
) -> dict[str, Any]:
    """The problem's public tests and data files, kept for a while: a Check after the
    first makes no call to the grading service (and works while it is busy)."""
    cache: dict[str, tuple[float, dict[str, Any]]] = settings.setdefault("coderunner_checks", {})
    found = cache.get(problem_id)
    if found and time.monotonic() - found[0] < CHECKS_MAX_AGE_SECONDS:
        return found[1]
    checks = (await grader.get_checks(problem_id)).body
    if not isinstance(checks, dict) or checks.get("kind") not in ("function", "program"):
        raise web.HTTPError(502, "%s", "The grading service sent malformed checks.")
    cache[problem_id] = (time.monotonic(), checks)
    return checks


class CheckHandler(PracticeHandler):
    """Runs the problem's public tests against the learner's file, in a fresh process
    in this container: a practice check, never sent to the grading queue."""

    @web.authenticated
    @authorized
    async def post(self, problem_id: str) -> None:
        source, _ = await self.learner_code()
        checks = await self.public_checks(problem_id)
        request = {"kind": checks["kind"], "source": source}
        if checks["kind"] == "program":
            request["cases"] = checks.get("cases") or []
        else:
            request["tests"] = str(checks.get("source") or "")
        answer = await self.practise(request, checks)
        if answer.get("timed_out"):
            answer = {
                "verdict": "timeout",
                "message": f"Your code ran longer than the {answer['limit']:g} s time limit.",
                "passed": 0,
                "total": 0,
                "tests": [],
            }
        self.finish(json.dumps({"practice": True, **answer}))


class RunHandler(PracticeHandler):
    """Runs a program problem's file with the input the learner typed."""

    @web.authenticated
    @authorized
    async def post(self, problem_id: str) -> None:
        source, body = await self.learner_code()
        stdin = body.get("stdin", "")
        if not isinstance(stdin, str) or len(stdin) > 64 * 1024:
            raise web.HTTPError(400, "%s", "'stdin' must be text of at most 64 KiB.")
        checks = await self.public_checks(problem_id)
        answer = await self.practise({"action": "run", "source": source, "stdin": stdin}, checks)
        if answer.get("timed_out"):
            answer = {
                "stdout": "",
                "error": f"Your program ran longer than {answer['limit']:g} s and was stopped. "
                "Is there a loop that never stops?",
                "timed_out": True,
            }
        self.finish(json.dumps(answer))


class CheatsheetsHandler(CodeRunnerHandler):
    @web.authenticated
    @authorized
    async def get(self, sheet_id: str | None = None) -> None:
        if sheet_id is None:
            self.reply(await self.grader.list_cheatsheets())
            return
        if not CHEATSHEET_ID_RE.fullmatch(sheet_id):
            raise web.HTTPError(400, "%s", f"Invalid cheatsheet id {sheet_id!r}.")
        self.reply(await self.grader.get_cheatsheet(sheet_id))


class SubmissionHandler(CodeRunnerHandler):
    @web.authenticated
    @authorized
    async def get(self, submission_id: str) -> None:
        try:
            wait = float(self.get_argument("wait", "0"))
        except ValueError:
            raise web.HTTPError(400, "%s", "'wait' must be a number of seconds.") from None
        self.reply(await self.grader.get_submission(submission_id, wait))


class ProgressHandler(CodeRunnerHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.get_progress())


class AssessmentsHandler(CodeRunnerHandler):
    """The learner's assessments (open, upcoming, recently closed) with used attempts."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.list_assessments())


class LeaderboardHandler(CodeRunnerHandler):
    """The leaderboards of the learner's classes that have one switched on."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.get_leaderboard())


class MeHandler(CodeRunnerHandler):
    """The learner's cohorts (display name, track) and limits, from the grader."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.get_me())


class PrivacyHandler(CodeRunnerHandler):
    """The school's privacy notice, and the learner's acceptance (kept by the grader)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.grader.get_privacy())

    @web.authenticated
    @authorized
    async def post(self) -> None:
        version = self.json_body().get("version")
        if not isinstance(version, str):
            raise web.HTTPError(400, "%s", "Missing 'version' (a string).")
        self.reply(await self.grader.accept_privacy(version))


class SpaceHandler(CodeRunnerHandler):
    """How much the learner's home holds and how much more fits."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        space: HomeSpace = self.settings["coderunner_space"]
        self.finish(json.dumps((await asyncio.to_thread(space.space)).as_json()))


def route_table(base_url: str) -> list[tuple[str, type[CodeRunnerHandler]]]:
    def route(pattern: str) -> str:
        return url_path_join(base_url, API_PREFIX, pattern)

    return [
        (route("problems"), ProblemsHandler),
        (route("tracks"), TracksHandler),
        (route(f"problems/{_ID.format(name='problem_id')}"), ProblemHandler),
        (route(f"problems/{_ID.format(name='problem_id')}/open"), OpenProblemHandler),
        (
            route(
                f"problems/{_ID.format(name='problem_id')}/assets/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)"
            ),
            ProblemAssetHandler,
        ),
        (route(f"problems/{_ID.format(name='problem_id')}/hints"), HintsHandler),
        (route(f"problems/{_ID.format(name='problem_id')}/check"), CheckHandler),
        (route(f"problems/{_ID.format(name='problem_id')}/run"), RunHandler),
        (route("cheatsheets"), CheatsheetsHandler),
        (route(f"cheatsheets/{_ID.format(name='sheet_id')}"), CheatsheetsHandler),
        (route("submissions"), SubmissionsHandler),
        (route(f"submissions/{_ID.format(name='submission_id')}"), SubmissionHandler),
        (route("progress"), ProgressHandler),
        (route("assessments"), AssessmentsHandler),
        (route("leaderboard"), LeaderboardHandler),
        (route("me"), MeHandler),
        (route("privacy"), PrivacyHandler),
        (route("space"), SpaceHandler),
    ]
