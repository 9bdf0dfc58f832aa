"""The extension's REST API, against a real Jupyter server and a fake grading service."""

from __future__ import annotations

import json
from typing import Any

import nbformat
import pytest
import tornado.httpclient


async def call(
    jp_fetch, *parts: str, method: str = "GET", body: Any = None
) -> tuple[int, Any, Any]:
    """(status, decoded JSON, response) of a request to ``coderunner/api/<parts>``."""
    kwargs: dict[str, Any] = {"method": method, "raise_error": False}
    if method == "POST":
        kwargs["body"] = body if isinstance(body, str) else json.dumps(body or {})
    response = await jp_fetch("coderunner", "api", *parts, **kwargs)
    return response.code, json.loads(response.body), response


async def test_lists_problems_from_grader(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(jp_fetch, "problems")
    assert status == 200
    assert [p["id"] for p in body["problems"]] == ["robot-hello", "sum-two"]
    assert set(body["problems"][0]) == {"id", "title", "track", "level", "points", "kind"}


async def test_gets_public_problem(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(jp_fetch, "problems", "sum-two")
    assert status == 200
    assert body["starter"].startswith("def add")


async def test_unknown_problem_passes_grader_404_and_message(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(jp_fetch, "problems", "nope")
    assert (status, body["message"]) == (404, "unknown problem nope")


@pytest.mark.parametrize("bad_id", ["Sum", "-x", "a" * 65, "a.b", "..", "x y"])
async def test_bad_problem_id_is_400_before_calling_grader(jp_fetch, fake_grader, bad_id) -> None:
    status, body, _ = await call(jp_fetch, "problems", bad_id, "open", method="POST")
    assert status == 400
    assert "Invalid problem id" in body["message"]
    assert fake_grader.requests == []


async def test_open_creates_notebook_with_statement_and_starter(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    status, body, _ = await call(jp_fetch, "problems", "sum-two", "open", method="POST")
    assert status == 201
    assert body == {"path": "problems/sum-two.ipynb", "created": True, "format": "notebook"}
    nb = nbformat.read(jp_root_dir / "problems" / "sum-two.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.coderunner == {"problem_id": "sum-two"}
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.startswith("# Sum of two numbers\n\nWrite `add(a, b)`")
    assert nb.cells[1].cell_type == "code"
    assert nb.cells[1].source == "def add(a, b):\n    ..."


async def test_open_creates_script_with_marker_title_and_starter(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "open", method="POST", body={"format": "script"}
    )
    assert status == 201
    assert body == {"path": "problems/sum-two.py", "created": True, "format": "script"}
    text = (jp_root_dir / "problems" / "sum-two.py").read_text()
    assert text.splitlines()[0] == "# coderunner: problem_id=sum-two"
    assert text.splitlines()[1] == "# Sum of two numbers"
    assert "**" not in text, "the statement is shown rendered beside the file, not as comments"
    assert text.endswith("def add(a, b):\n    ...\n")
    compile(text, "sum-two.py", "exec")


async def test_open_never_overwrites_learner_work(jp_fetch, jp_root_dir, fake_grader) -> None:
    (jp_root_dir / "problems").mkdir()
    learner_file = jp_root_dir / "problems" / "sum-two.py"
    learner_file.write_text("def add(a, b):\n    return a + b  # my work\n")

    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "open", method="POST", body={"format": "script"}
    )
    assert status == 200
    assert body == {"path": "problems/sum-two.py", "created": False, "format": "script"}
    assert learner_file.read_text() == "def add(a, b):\n    return a + b  # my work\n"


async def test_open_twice_keeps_first_notebook(jp_fetch, jp_root_dir, fake_grader) -> None:
    await call(jp_fetch, "problems", "sum-two", "open", method="POST")
    path = jp_root_dir / "problems" / "sum-two.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "def add(a, b):\n    return a + b"
    nbformat.write(nb, path)

    status, body, _ = await call(jp_fetch, "problems", "sum-two", "open", method="POST")
    assert (status, body["created"]) == (200, False)
    assert nbformat.read(path, as_version=4).cells[1].source.endswith("return a + b")


async def test_open_unknown_format_is_400(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "open", method="POST", body={"format": "pdf"}
    )
    assert status == 400
    assert "Unknown format" in body["message"]


async def test_submit_notebook_sends_notebook_without_outputs(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "def add(a, b):\n    return a + b",
                execution_count=3,
                outputs=[nbformat.v4.new_output("stream", text="big output")],
            )
        ]
    )
    nbformat.write(nb, jp_root_dir / "mine.ipynb")

    status, body, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "path": "mine.ipynb"},
    )
    assert (status, body) == (202, {"id": "sub-1", "status": "queued"})
    [sent] = fake_grader.submissions
    assert set(sent) == {"problem_id", "notebook"}
    assert sent["problem_id"] == "sum-two"
    nbformat.validate(nbformat.from_dict(sent["notebook"]))
    cell = sent["notebook"]["cells"][0]
    assert cell["source"] == "def add(a, b):\n    return a + b"
    assert (cell["outputs"], cell["execution_count"]) == ([], None)


async def test_submit_script_sends_code(jp_fetch, jp_root_dir, fake_grader) -> None:
    (jp_root_dir / "work").mkdir()
    (jp_root_dir / "work" / "add.py").write_text("def add(a, b):\n    return a + b\n")

    status, body, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "path": "work/add.py"},
    )
    assert status == 202
    assert fake_grader.submissions == [
        {"problem_id": "sum-two", "code": "def add(a, b):\n    return a + b\n"}
    ]


async def test_submit_code_directly(jp_fetch, fake_grader) -> None:
    status, _, _ = await call(
        jp_fetch, "submissions", method="POST", body={"problem_id": "sum-two", "code": "x = 1"}
    )
    assert status == 202
    assert fake_grader.submissions == [{"problem_id": "sum-two", "code": "x = 1"}]


async def test_submit_missing_file_is_404(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(
        jp_fetch, "submissions", method="POST", body={"problem_id": "sum-two", "path": "no.py"}
    )
    assert status == 404
    assert "no.py" in body["message"]
    assert fake_grader.requests == []


async def test_submit_path_outside_root_is_rejected_with_4xx(jp_fetch, fake_grader) -> None:
    status, _, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "path": "../../etc/passwd"},
    )
    assert 400 <= status < 500
    assert fake_grader.requests == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"path": "a.py"}), "problem_id"),
        (json.dumps({"problem_id": "sum-two"}), "exactly one of"),
        (json.dumps({"problem_id": "sum-two", "code": 3}), "'code' must be a string"),
        (json.dumps({"problem_id": ["x"], "code": "x"}), "problem_id"),
    ],
)
async def test_malformed_submission_is_400_with_message(
    jp_fetch, fake_grader, body, message
) -> None:
    status, reply, _ = await call(jp_fetch, "submissions", method="POST", body=body)
    assert status == 400
    assert message in reply["message"]
    assert fake_grader.requests == []


@pytest.mark.parametrize(
    ("status", "message", "reason"),
    [
        (429, "daily quota of 50% used up", "daily_quota"),
        (503, "grading queue is full, try again soon", "backpressure"),
    ],
)
async def test_grader_busy_passes_through_with_retry_after_and_reason(
    jp_fetch, fake_grader, status, message, reason
) -> None:
    fake_grader.next_error = (
        status,
        {"message": message, "reason": reason, "retry_after": 42},
        {"Retry-After": "42"},
    )
    code, body, response = await call(
        jp_fetch, "submissions", method="POST", body={"problem_id": "sum-two", "code": "x"}
    )
    assert (code, body["message"], body["reason"]) == (status, message, reason)
    assert body["retry_after"] == 42
    assert response.headers["Retry-After"] == "42"


async def test_grader_413_passes_through(jp_fetch, fake_grader) -> None:
    fake_grader.next_error = (413, {"message": "code larger than 64 KiB"}, {})
    status, body, _ = await call(
        jp_fetch, "submissions", method="POST", body={"problem_id": "sum-two", "code": "x"}
    )
    assert (status, body["message"]) == (413, "code larger than 64 KiB")


async def test_grader_down_is_502_naming_the_grader(jp_fetch, fake_grader) -> None:
    fake_grader.server.stop()
    status, body, _ = await call(jp_fetch, "problems")
    assert status == 502
    assert f"grading service at {fake_grader.url} is unreachable" in body["message"]


async def test_open_works_with_sync_contents_manager(
    jp_fetch, jp_serverapp, jp_root_dir, fake_grader
) -> None:
    from jupyter_server.services.contents.filemanager import FileContentsManager

    jp_serverapp.web_app.settings["contents_manager"] = FileContentsManager(
        root_dir=str(jp_root_dir)
    )
    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "open", method="POST", body={"format": "script"}
    )
    assert (status, body["created"]) == (201, True)
    assert (jp_root_dir / "problems" / "sum-two.py").exists()
    status, _, _ = await call(
        jp_fetch, "submissions", method="POST", body={"problem_id": "sum-two", "path": body["path"]}
    )
    assert status == 202


async def test_gets_submission_result(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(jp_fetch, "submissions", "sub-1")
    assert status == 200
    assert (body["id"], body["status"], body["verdict"], body["score"]) == (
        "sub-1",
        "graded",
        "passed",
        10,
    )
    assert fake_grader.requests[0]["path"] == "/services/grader/api/submissions/sub-1"


async def test_progress_passes_through(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(jp_fetch, "progress")
    assert status == 200
    assert body["solved"] == 1 and body["total_score"] == 10
    assert body["problems"][0]["problem_id"] == "sum-two" and body["problems"][0]["solved"]
    assert body["levels"][0] == {
        "track": "ages-8-11",
        "level": 1,
        "unlocked": True,
        "rule": "",
        "needed": 0,
        "solved_before": 0,
    }
    assert set(body["streak"]) == {"current", "best", "today", "time_zone"}


async def test_tracks_are_passed_through(jp_fetch, fake_grader) -> None:
    response = await jp_fetch("coderunner", "api", "tracks")
    body = json.loads(response.body)
    assert body["tracks"][0]["levels"][0]["problems"] == ["sum-two"]


async def test_statement_images_are_linked_and_fetched_through_this_server(
    jp_fetch, fake_grader, jp_base_url
) -> None:
    from .conftest import PNG

    response = await jp_fetch(
        "coderunner",
        "api",
        "problems",
        "robot-hello",
        "open",
        method="POST",
        body=json.dumps({"format": "notebook"}),
    )
    path = json.loads(response.body)["path"]
    model = json.loads((await jp_fetch("api", "contents", path)).body)
    markdown = model["content"]["cells"][0]["source"]
    assert f"]({jp_base_url}coderunner/api/problems/robot-hello/assets/robo.png)" in markdown
    image = await jp_fetch("coderunner", "api", "problems", "robot-hello", "assets", "robo.png")
    assert image.body == PNG and image.headers["Content-Type"] == "image/png"
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_fetch("coderunner", "api", "problems", "robot-hello", "assets", "nope.png")
    assert err.value.code == 404


async def test_me_passes_through_with_the_learners_cohorts(jp_fetch, fake_grader) -> None:
    code, body, _ = await call(jp_fetch, "me")
    assert code == 200 and body["cohorts"][0]["display_name"] == "Class 7A"
    assert fake_grader.requests[-1]["path"].endswith("/api/me")


async def test_assessments_pass_through(jp_fetch, fake_grader) -> None:
    from .conftest import ASSESSMENTS

    status, body, _ = await call(jp_fetch, "assessments")
    assert (status, body) == (200, {"assessments": ASSESSMENTS})
    assert fake_grader.requests[-1]["path"] == "/services/grader/api/assessments"


async def test_assessments_error_passes_through(jp_fetch, fake_grader) -> None:
    fake_grader.next_error = (503, {"message": "grading service is starting"}, {"Retry-After": "5"})
    status, body, response = await call(jp_fetch, "assessments")
    assert (status, body["message"]) == (503, "grading service is starting")
    assert response.headers["Retry-After"] == "5"


async def test_submit_for_assessment_forwards_its_id(jp_fetch, jp_root_dir, fake_grader) -> None:
    (jp_root_dir / "add.py").write_text("def add(a, b):\n    return a + b\n")
    status, body, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "path": "add.py", "assessment_id": "quiz-1"},
    )
    assert (status, body) == (202, {"id": "sub-1", "status": "queued", "assessment_id": "quiz-1"})
    assert fake_grader.submissions == [
        {
            "problem_id": "sum-two",
            "code": "def add(a, b):\n    return a + b\n",
            "assessment_id": "quiz-1",
        }
    ]
    status, result, _ = await call(jp_fetch, "submissions", "sub-1")
    assert (status, result["assessment_id"]) == (200, "quiz-1")


async def test_submit_code_for_assessment_forwards_its_id(jp_fetch, fake_grader) -> None:
    status, _, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "code": "x = 1", "assessment_id": "quiz-1"},
    )
    assert status == 202
    assert fake_grader.submissions == [
        {"problem_id": "sum-two", "code": "x = 1", "assessment_id": "quiz-1"}
    ]


@pytest.mark.parametrize("assessment_id", [None, "absent"])
async def test_practice_submission_sends_no_assessment_id(
    jp_fetch, fake_grader, assessment_id
) -> None:
    body: dict[str, Any] = {"problem_id": "sum-two", "code": "x = 1"}
    if assessment_id != "absent":
        body["assessment_id"] = assessment_id
    status, _, _ = await call(jp_fetch, "submissions", method="POST", body=body)
    assert status == 202
    assert fake_grader.submissions == [{"problem_id": "sum-two", "code": "x = 1"}]
    _, result, _ = await call(jp_fetch, "submissions", "sub-1")
    assert result["assessment_id"] is None


@pytest.mark.parametrize(
    "bad_id", ["", "Quiz-1", "-quiz", "_quiz", "q" * 65, "quiz.1", "quiz/1", "../x", 7, ["quiz-1"]]
)
async def test_bad_assessment_id_is_400_before_calling_grader(
    jp_fetch, jp_root_dir, fake_grader, bad_id
) -> None:
    (jp_root_dir / "add.py").write_text("x = 1\n")
    for source in ({"code": "x = 1"}, {"path": "add.py"}):
        status, body, _ = await call(
            jp_fetch,
            "submissions",
            method="POST",
            body={"problem_id": "sum-two", "assessment_id": bad_id, **source},
        )
        assert status == 400
        assert "Invalid assessment id" in body["message"]
    assert fake_grader.requests == []


async def test_longest_assessment_id_is_accepted(jp_fetch, fake_grader) -> None:
    longest = "q" * 64
    fake_grader.next_error = (404, {"message": f"No assessment {longest}."}, {})
    status, body, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "code": "x", "assessment_id": longest},
    )
    assert (status, body["message"]) == (404, f"No assessment {longest}.")
    assert fake_grader.submissions[0]["assessment_id"] == longest


@pytest.mark.parametrize(
    "message",
    [
        "Loops quiz is closed: your answer was not recorded. You can still practise this problem.",
        "Loops quiz opens in 12 min.",
        "No attempts left for this problem in Loops quiz (3 of 3 used).",
    ],
)
async def test_assessment_refusal_409_reaches_the_client_with_its_message(
    jp_fetch, fake_grader, message
) -> None:
    fake_grader.next_error = (409, {"message": message}, {})
    status, body, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "sum-two", "code": "x", "assessment_id": "quiz-1"},
    )
    assert (status, body["message"]) == (409, message)
    assert fake_grader.submissions[0]["assessment_id"] == "quiz-1"


async def test_problem_not_in_assessment_is_404_from_the_grader(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(
        jp_fetch,
        "submissions",
        method="POST",
        body={"problem_id": "robot-hello", "code": "x", "assessment_id": "quiz-2"},
    )
    assert (status, body["message"]) == (404, "No assessment quiz-2 with this problem.")


async def test_leaderboard_passes_through(jp_fetch, fake_grader) -> None:
    from .conftest import LEADERBOARD

    status, body, _ = await call(jp_fetch, "leaderboard")
    assert (status, body) == (200, LEADERBOARD)
    assert fake_grader.requests[-1] == {
        "method": "GET",
        "path": "/services/grader/api/leaderboard",
        "body": None,
    }


@pytest.mark.parametrize(
    ("status", "message", "headers"),
    [
        (404, "Not found", {}),
        (503, "grading service is starting", {"Retry-After": "5"}),
    ],
)
async def test_leaderboard_error_reaches_the_client_with_its_message(
    jp_fetch, fake_grader, status, message, headers
) -> None:
    fake_grader.next_error = (status, {"message": message}, headers)
    code, body, response = await call(jp_fetch, "leaderboard")
    assert (code, body["message"]) == (status, message)
    assert response.headers.get("Retry-After") == headers.get("Retry-After")
