"""``coderunner grade --url``: grading through a running grading service.

End to end against the real service in this process (``make_service``: real Redis,
MongoDB-protocol server, sandboxes; the JWT verified for real), then the client's
handling of the answers a busy or unhappy service gives, against a small stand-in
server whose submission bodies come from the real handler's ``public_submission``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from tornado import web
from tornado.httpserver import HTTPServer

from grading_service.batch import command
from grading_service.batch.backend import Refused, Unavailable
from grading_service.batch.remote import RemoteBackend
from grading_service.edge.handlers import public_submission
from hub_config.devstack import free_port


async def test_a_class_folder_is_graded_through_the_service_with_a_grader_jwt(
    make_service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, seeded_class
) -> None:
    app = await make_service(Admission__rate_per_minute=0, WorkerPool__concurrency=2)
    token = app.tokens.mint("marking", role="grader")
    seeded_class(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODERUNNER_TOKEN", token)  # the way the help suggests passing it
    args = command.parser().parse_args(
        ["--problem", "add-two", "--url", app.base, "--jobs", "3", "class_7a"]
    )
    assert await command.grade(args, lambda: None) == 0

    document = json.loads((tmp_path / "grades-add-two" / "results.json").read_text())
    rows = {r["learner"]: r for r in document["results"]}
    assert {k: (r["verdict"], r["score"]) for k, r in rows.items()} == {
        "alice": ("passed", 10.0),
        "bob": ("failed", 1.67),
        "carol": ("failed", 0.0),
        "dan": ("empty", 0.0),
        "erin": ("invalid", 0.0),
        "frank": ("passed", 10.0),
    }
    for learner in ("alice", "bob", "carol", "frank"):
        row = rows[learner]
        assert row["mode"] == "remote" and row["image"] == ""
        doc = await app.storage.get_submission(row["submission_id"])
        assert doc["user"] == "service:marking" and doc["lane"] == "batch"
        assert doc["verdict"] == row["verdict"]
    assert [t["status"] for t in rows["bob"]["tests"]] == ["fail", "pass"] + ["fail"] * 4
    assert "graded 6, skipped 0 already graded" in capsys.readouterr().out


async def test_a_token_the_service_refuses_stops_before_grading(
    make_service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    app = await make_service(WorkerPool__concurrency=0)
    (tmp_path / "alice.py").write_text("def add(a, b):\n    return a + b\n")
    monkeypatch.chdir(tmp_path)
    forged = app.tokens.mint("marking", role="grader")[:-4] + "AAAA"
    args = command.parser().parse_args(
        ["--problem", "add-two", "--url", app.base, "--token", forged, "alice.py"]
    )
    assert await command.grade(args, lambda: None) == command.EXIT_REFUSED
    assert "refused the token" in capsys.readouterr().err
    assert not (tmp_path / "grades-add-two").exists()  # a run that could not start


# --------------------------------------------------------------------------- a stand-in


class StandIn:
    """Answers as the grading API does; ``script`` says what the next requests get."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict, dict]] = []  # (status, body, headers)
        self.requests: list[tuple[str, str, str]] = []  # (method, uri, authorization)


def submission(status: str, verdict: str | None = None, **more: Any) -> dict:
    doc: dict[str, Any] = {
        "_id": "s1",
        "problem_id": "add-two",
        "status": status,
        "created_at": dt.datetime(2026, 1, 1),
        **({"verdict": verdict} if verdict else {}),
        **more,
    }
    return json.loads(json.dumps(public_submission(doc), default=str))  # type: ignore[arg-type]


class Handler(web.RequestHandler):
    def initialize(self, stand_in: StandIn) -> None:
        self.stand_in = stand_in

    def answer(self) -> None:
        self.stand_in.requests.append(
            (
                self.request.method or "",
                self.request.uri or "",
                self.request.headers["Authorization"],
            )
        )
        status, body, headers = self.stand_in.script.pop(0)
        self.set_status(status)
        for name, value in headers.items():
            self.set_header(name, value)
        self.finish(json.dumps(body))

    get = post = answer  # type: ignore[assignment]


@pytest.fixture
async def stand_in():
    server = StandIn()
    port = free_port()
    http = HTTPServer(web.Application([(r"/.*", Handler, {"stand_in": server})]))
    http.listen(port, "127.0.0.1")
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    yield server
    http.stop()


def backend_for(stand_in: StandIn, waits: list[float]) -> RemoteBackend:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return RemoteBackend(
        stand_in.url,  # type: ignore[attr-defined]
        "a.b.c",
        "add-two",
        poll_seconds=1,
        max_retry_after_seconds=120,
        sleep=sleep,
    )


GRADED = submission(
    "graded",
    "passed",
    score=10,
    max_score=10,
    passed=1,
    total=1,
    tests=[{"name": "t", "status": "pass", "visibility": "hidden", "message": ""}],
)


async def test_busy_answers_are_waited_out_as_retry_after_says(stand_in: StandIn) -> None:
    waits: list[float] = []
    backend = backend_for(stand_in, waits)
    stand_in.script = [
        (200, {"id": "add-two", "points": 10}, {}),
        (429, {"message": "Too many submissions"}, {"Retry-After": "7"}),
        (503, {"message": "busy"}, {}),
        (202, {"id": "s1", "status": "queued"}, {}),
        (503, {"message": "database down"}, {"Retry-After": "2"}),
        (200, submission("running"), {}),
        (200, GRADED, {}),
    ]
    await backend.start()
    outcome = await backend.grade("def add(a, b): return a + b\n")
    await backend.close()
    assert waits == [7.0, 5.0, 2.0]
    assert (outcome["verdict"], outcome["score"], outcome["submission_id"]) == ("passed", 10, "s1")
    assert [(m, uri) for m, uri, _ in stand_in.requests] == [
        ("GET", "/api/problems/add-two"),
        ("POST", "/api/submissions"),
        ("POST", "/api/submissions"),
        ("POST", "/api/submissions"),
        ("GET", "/api/submissions/s1?wait=1"),
        ("GET", "/api/submissions/s1?wait=1"),
        ("GET", "/api/submissions/s1?wait=1"),
    ]
    assert {auth for _, _, auth in stand_in.requests} == {"Bearer a.b.c"}


async def test_a_file_the_service_refuses_is_a_row_with_its_message(stand_in: StandIn) -> None:
    backend = backend_for(stand_in, [])
    stand_in.script = [
        (200, {"points": 10}, {}),
        (413, {"message": "Code is larger than 65536 bytes."}, {}),
    ]
    await backend.start()
    outcome = await backend.grade("x = 1\n")
    await backend.close()
    assert (outcome["verdict"], outcome["score"], outcome["max_score"]) == ("invalid", 0, 10.0)
    assert outcome["message"] == (
        "The grading service refused the file: Code is larger than 65536 bytes."
    )


@pytest.mark.parametrize(
    ("script", "fault", "words"),
    [
        ([(401, {"message": "Token expired"}, {})], Refused, "refused the token: Token expired"),
        ([(429, {"message": "Daily limit"}, {"Retry-After": "3600"})], Unavailable, "3600 s"),
        ([(500, {"message": "oops"}, {})], Unavailable, "submitting answered 500"),
        (
            [(202, {"id": "s1"}, {}), (200, submission("failed", "internal_error"), {})],
            Unavailable,
            "could not grade it",
        ),
    ],
    ids=["token refused", "wait too long", "server error", "service gave up"],
)
async def test_faults_that_are_not_the_learners_are_raised_not_recorded(
    stand_in: StandIn, script: list, fault: type[Exception], words: str
) -> None:
    backend = backend_for(stand_in, [])
    stand_in.script = [(200, {"points": 10}, {}), *script]
    await backend.start()
    with pytest.raises(fault, match=words):
        await backend.grade("def add(a, b): return a + b\n")
    await backend.close()


async def test_an_unreachable_service_or_unknown_problem_refuses_the_run(
    stand_in: StandIn,
) -> None:
    stand_in.script = [(404, {"message": "No problem"}, {})]
    with pytest.raises(Refused, match="has no problem 'add-two'"):
        await backend_for(stand_in, []).start()
    nobody = RemoteBackend(f"http://127.0.0.1:{free_port()}", "a.b.c", "add-two")
    with pytest.raises(Refused, match="cannot reach the grading service"):
        await nobody.start()
