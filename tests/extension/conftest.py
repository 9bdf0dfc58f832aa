"""Fixtures for the server extension: a real Jupyter server and an in-process fake grader."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tornado.httpserver
import tornado.testing
import tornado.web

# pytest-jupyter's server fixtures (jp_fetch, jp_serverapp, ...). Imported rather than
# listed in `pytest_plugins`: pytest refuses `pytest_plugins` outside the top-level conftest
# when the whole suite runs, and importing keeps the fixtures and hooks local to this folder.
from pytest_jupyter.jupyter_server import *  # noqa: F403

# The server imports the extension by module name; make the repo's `extension` package
# importable even when the project is not pip-installed into the environment.
REPO_ROOT = str(Path(__file__).resolve().parents[2])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from grading_service.content.store import ContentStore  # noqa: E402
from grading_service.edge.handlers import public_submission  # noqa: E402
from grading_service.progress import learner_progress  # noqa: E402
from grading_service.records import Submission  # noqa: E402

GRADER_TOKEN = "learner-hub-token-for-tests"
PNG = b"\x89PNG\r\n\x1a\nnot-really-a-png"

PROBLEMS = {
    "robot-hello": {
        "id": "robot-hello",
        "title": "Robot hello",
        "track": "basics",
        "level": 1,
        "points": 10,
        "kind": "program",
        "statement": "![robot](assets/robo.png)\n\nPrint `Beep`.",
        "starter": "print('...')\n",
    },
    "sum-two": {
        "id": "sum-two",
        "title": "Sum of two numbers",
        "track": "basics",
        "level": 1,
        "points": 10,
        "kind": "function",
        "statement": "Write `add(a, b)` that returns **a + b**.\n\nExample: `add(2, 3) == 5`.",
        "starter": "def add(a, b):\n    ...\n",
        "data_files": ["nums.txt"],
    },
}

# What GET problems/<id>/checks answers: public tests, data files (base64), time limit.
CHECKS = {
    "sum-two": {
        "problem_id": "sum-two",
        "kind": "function",
        "source": "from solution import add\n\n"
        "def test_small():\n    assert add(2, 3) == 5\n\n"
        "def test_file():\n    assert add(*map(int, open('nums.txt').read().split())) == 7\n",
        "time_limit_seconds": 2,
        "data": {"nums.txt": "MyA0Cg=="},  # "3 4\n"
    },
    "robot-hello": {
        "problem_id": "robot-hello",
        "kind": "program",
        "cases": [
            {"name": "mia", "stdin": "Mia\n", "stdout": "Beep!\nHi Mia\n"},
            {"name": "sam", "stdin": "Sam\n", "stdout": "Beep!\nHi Sam\n"},
        ],
        "time_limit_seconds": 2,
        "data": {},
    },
}
LOCKED = {
    "message": "This level is locked. Solve 1 of the 2 problems in level 1 (First) to open "
    "this level.",
    "reason": "locked",
    "unlock": {"track": "basics", "level": 1, "needed": 1, "of": 2, "solved": 0},
}


@dataclass
class FakeGrader:
    """What the fake grading service received, and what it should answer next."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    # (status, json body, headers) answered once by the next request, instead of the normal one
    next_error: tuple[int, dict[str, Any], dict[str, str]] | None = None
    server: tornado.httpserver.HTTPServer | None = None
    accepted: str | None = None  # when the learner accepted the privacy notice
    # the assessment each accepted submission was recorded for (None: practice), by id
    assessment_of: dict[str, str | None] = field(default_factory=dict)
    hints_revealed: dict[str, int] = field(default_factory=dict)

    @property
    def submissions(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["method"] == "POST"]


class _GraderHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeGrader) -> None:
        self.fake = fake

    def prepare(self) -> None:
        self.set_header("Content-Type", "application/json")
        if self.request.headers.get("Authorization") != f"token {GRADER_TOKEN}":
            self.answer(401, {"message": "invalid token"})
            return
        body = json.loads(self.request.body) if self.request.body else None
        self.fake.requests.append(
            {"method": self.request.method, "path": self.request.path, "body": body}
        )
        if self.fake.next_error is not None:
            status, error, headers = self.fake.next_error
            self.fake.next_error = None
            for name, value in headers.items():
                self.set_header(name, value)
            self.answer(status, error)

    def answer(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.finish(json.dumps(body))


class _Problems(_GraderHandler):
    def get(self) -> None:
        keys = ("id", "title", "track", "level", "points", "kind")
        listing = [{k: p[k] for k in keys} for p in PROBLEMS.values()]
        self.answer(200, {"problems": listing})


class _Tracks(_GraderHandler):
    def get(self) -> None:
        self.answer(
            200,
            {
                "tracks": [
                    {
                        "id": "basics",
                        "title": "Basics",
                        "ages": "12-14",
                        "levels": [
                            {
                                "track": "basics",
                                "level": 1,
                                "title": "First",
                                "unlock_threshold": 0.5,
                                "problems": ["sum-two"],
                            }
                        ],
                    }
                ]
            },
        )


class _Asset(_GraderHandler):
    def get(self, problem_id: str, name: str) -> None:
        if name != "robo.png":
            self.answer(404, {"message": f"No image {name!r}"})
            return
        self.set_header("Content-Type", "image/png")
        self.finish(PNG)


class _Problem(_GraderHandler):
    def get(self, problem_id: str) -> None:
        if problem_id == "locked-one":
            self.answer(403, LOCKED)
            return
        if problem_id not in PROBLEMS:
            self.answer(404, {"message": f"unknown problem {problem_id}"})
            return
        self.answer(200, PROBLEMS[problem_id])


class _Submissions(_GraderHandler):
    """Accepts every submission; one for an assessment is recorded against it.

    An unknown assessment, or a problem not in it, is a 404 as in the real service.
    GET answers the query it was asked, so a test sees what was forwarded.
    """

    def get(self) -> None:
        self.answer(200, {"submissions": [], "next": None, "query": self.request.query})

    def post(self) -> None:
        submission_id = f"sub-{len(self.fake.submissions)}"
        body = json.loads(self.request.body)
        assessment_id = body.get("assessment_id")
        if assessment_id is None:
            self.fake.assessment_of[submission_id] = None
            self.answer(202, {"id": submission_id, "status": "queued"})
            return
        assessment = next((a for a in ASSESSMENTS if a["id"] == assessment_id), None)
        if assessment is None or body.get("problem_id") not in assessment["problems"]:
            self.answer(404, {"message": f"No assessment {assessment_id} with this problem."})
            return
        self.fake.assessment_of[submission_id] = assessment_id
        self.answer(202, {"id": submission_id, "status": "queued", "assessment_id": assessment_id})


class _Hints(_GraderHandler):
    """Two hints for every problem; each POST reveals one more (kept in the fake)."""

    HINTS = ["Use +.", "Return it."]

    def get(self, problem_id: str) -> None:
        shown = self.fake.hints_revealed.get(problem_id, 0)
        self.answer(200, {"revealed": self.HINTS[:shown], "total": 2})

    def post(self, problem_id: str) -> None:
        shown = min(self.fake.hints_revealed.get(problem_id, 0) + 1, 2)
        self.fake.hints_revealed[problem_id] = shown
        self.answer(200, {"revealed": self.HINTS[:shown], "total": 2})


class _Checks(_GraderHandler):
    def get(self, problem_id: str) -> None:
        self.answer(200, CHECKS[problem_id])


class _Cheatsheets(_GraderHandler):
    def get(self, sheet_id: str | None = None) -> None:
        sheet = {"id": "basics--loops", "title": "Loops", "track": "basics", "topic": "loops"}
        if sheet_id is None:
            self.answer(200, {"cheatsheets": [sheet]})
        else:
            self.answer(200, {**sheet, "markdown": "# Loops"})


def graded_submission(submission_id: str) -> Submission:
    """A graded submission as the grading service stores it."""
    now = datetime.datetime.now(datetime.UTC)
    return {
        "_id": submission_id,
        "user": "learner",
        "problem_id": "sum-two",
        "code": "def add(a, b):\n    return a + b\n",
        "code_hash": "0" * 64,
        "status": "graded",
        "created_at": now,
        "finished_at": now,
        "attempts": 1,
        "verdict": "passed",
        "message": "All 1 tests passed.",
        "score": 10,
        "max_score": 10,
        "passed": 1,
        "total": 1,
        "tests": [{"name": "test_adds", "status": "pass", "visibility": "public", "message": ""}],
    }


PROGRESS_RECORDS = [
    {
        "problem_id": "sum-two",
        "attempts": 2,
        "best_score": 10,
        "max_score": 10,
        "first_solved_at": datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    },
]


class _Submission(_GraderHandler):
    """Answers as the real service does (its own rendering of a stored record), with the
    assessment the submission was recorded for."""

    def get(self, submission_id: str) -> None:
        doc = graded_submission(submission_id)
        doc["assessment_id"] = self.fake.assessment_of.get(submission_id)
        body = json.loads(json.dumps(public_submission(doc), default=str))
        # Rendered by public_submission once the service has the field; set here otherwise.
        body.setdefault("assessment_id", doc["assessment_id"])
        self.answer(200, body)


class _Progress(_GraderHandler):
    def get(self) -> None:
        content = ContentStore(Path(REPO_ROOT) / "content")
        body = learner_progress("learner", PROGRESS_RECORDS, content)
        self.answer(200, json.loads(json.dumps(body, default=str)))


ASSESSMENTS: list[dict[str, Any]] = [
    {
        "id": "quiz-1",
        "title": "Loops quiz",
        "cohort": "7a",
        "problems": ["sum-two", "robot-hello"],
        "opens_at": "2026-12-02T09:00:00+00:00",
        "closes_at": "2026-12-02T09:45:00+00:00",
        "max_attempts": 3,
        "state": "open",
        "seconds_to_open": None,
        "seconds_left": 1500,
        "attempts": {"sum-two": 1},
    },
    {
        "id": "quiz-2",
        "title": "Functions quiz",
        "cohort": "7a",
        "problems": ["sum-two"],
        "opens_at": "2026-12-03T09:00:00+00:00",
        "closes_at": "2026-12-03T09:45:00+00:00",
        "max_attempts": 2,
        "state": "upcoming",
        "seconds_to_open": 86400,
        "seconds_left": None,
        "attempts": {},
    },
]


class _Assessments(_GraderHandler):
    """The learner's cohorts' assessments, as `GET api/assessments` answers."""

    def get(self) -> None:
        self.answer(200, {"assessments": ASSESSMENTS})


LEADERBOARD: dict[str, Any] = {
    "boards": [
        {
            "cohort": "7a",
            "display_name": "Class 7A",
            "rows": [
                {"rank": 1, "name": "Star Coder", "points": 120, "streak": 3, "me": False},
                {"rank": 2, "name": "Blue Fox", "points": 80, "streak": 0, "me": False},
                {"rank": 2, "name": "Pixel", "points": 80, "streak": 1, "me": False},
            ],
            "me": {"rank": 4, "name": "Rocket", "points": 45, "streak": 0},
        }
    ]
}


class _Leaderboard(_GraderHandler):
    """The switched-on leaderboards of the learner's classes, as `GET api/leaderboard`."""

    def get(self) -> None:
        self.answer(200, LEADERBOARD)


class _Me(_GraderHandler):
    def get(self) -> None:
        self.answer(
            200,
            {
                "name": "learner",
                "cohorts": [{"name": "7a", "display_name": "Class 7A", "track": "basics"}],
                "limits": {"rate_per_minute": 10, "daily_quota": 300},
                "admin": False,
                "grader": False,
                "teaches": [],
            },
        )


class _Privacy(_GraderHandler):
    """The notice, version "v1"; accepting it is remembered in the fake."""

    def get(self) -> None:
        self.answer(
            200,
            {"text": "# Before you start", "version": "v1", "accepted_at": self.fake.accepted},
        )

    def post(self) -> None:
        if (json.loads(self.request.body) or {}).get("version") != "v1":
            self.answer(409, {"message": "The notice has changed since you read it."})
            return
        self.fake.accepted = self.fake.accepted or "2026-12-02T10:00:00+00:00"
        self.answer(200, {"version": "v1", "accepted_at": self.fake.accepted})


@pytest.fixture
def jp_asyncio_loop(_function_scoped_runner: asyncio.Runner) -> asyncio.AbstractEventLoop:
    """Run the Jupyter server on the loop pytest-asyncio runs the test in.

    pyproject sets ``asyncio_mode = "auto"``, so pytest-asyncio, not pytest-jupyter, runs
    async tests, each in the loop of its function-scoped runner. pytest-jupyter's own
    ``jp_asyncio_loop`` would start the server on a different loop that never runs while
    the test awaits, and every request would time out.
    """
    return _function_scoped_runner.get_loop()


@pytest.fixture
def fake_grader(jp_asyncio_loop) -> Iterator[FakeGrader]:
    """A grading service on a free loopback port, served by the test's event loop."""
    fake = FakeGrader()
    prefix = "/services/grader/api"
    app = tornado.web.Application(
        [
            (rf"{prefix}/problems", _Problems, {"fake": fake}),
            (rf"{prefix}/tracks", _Tracks, {"fake": fake}),
            (rf"{prefix}/problems/([^/]+)", _Problem, {"fake": fake}),
            (rf"{prefix}/problems/([^/]+)/assets/([^/]+)", _Asset, {"fake": fake}),
            (rf"{prefix}/submissions", _Submissions, {"fake": fake}),
            (rf"{prefix}/submissions/([^/]+)", _Submission, {"fake": fake}),
            (rf"{prefix}/progress", _Progress, {"fake": fake}),
            (rf"{prefix}/assessments", _Assessments, {"fake": fake}),
            (rf"{prefix}/leaderboard", _Leaderboard, {"fake": fake}),
            (rf"{prefix}/privacy", _Privacy, {"fake": fake}),
            (rf"{prefix}/me", _Me, {"fake": fake}),
            (rf"{prefix}/problems/([^/]+)/hints", _Hints, {"fake": fake}),
            (rf"{prefix}/problems/([^/]+)/checks", _Checks, {"fake": fake}),
            (rf"{prefix}/cheatsheets", _Cheatsheets, {"fake": fake}),
            (rf"{prefix}/cheatsheets/([^/]+)", _Cheatsheets, {"fake": fake}),
        ]
    )
    sock, port = tornado.testing.bind_unused_port()

    async def start() -> tornado.httpserver.HTTPServer:
        server = tornado.httpserver.HTTPServer(app)
        server.add_socket(sock)
        return server

    fake.server = jp_asyncio_loop.run_until_complete(start())
    fake.url = f"http://127.0.0.1:{port}/services/grader/"
    yield fake
    fake.server.stop()


@pytest.fixture
def jp_server_config(fake_grader: FakeGrader) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"extension": True}},
        "CodeRunnerConfig": {"grader_url": fake_grader.url, "grader_token": GRADER_TOKEN},
    }
