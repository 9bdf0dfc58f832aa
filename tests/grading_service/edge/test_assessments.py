"""Assessment rules at the submission endpoint (edge/submissions.py with
grading_service/assessments.py): before, during and after the window, attempts used up,
practice unaffected, and an attempt given back when a submission is not accepted."""

from __future__ import annotations

import datetime as dt

from ..api import GOOD_ADD, WRONG_ADD, call


async def add_assessment(app, ident: str, opens: float, closes: float, **extra) -> None:
    """An assessment of class-a on add-two, opening and closing ``opens``/``closes``
    minutes from now."""
    now = dt.datetime.now(dt.UTC)
    doc = {
        "_id": ident,
        "title": extra.pop("title", "Quiz"),
        "cohort": extra.pop("cohort", "class-a"),
        "problems": ["add-two"],
        "opens_at": now + dt.timedelta(minutes=opens),
        "closes_at": now + dt.timedelta(minutes=closes),
        "max_attempts": extra.pop("max_attempts", 2),
        "created_by": "teacher",
    }
    assert await app.storage.create_assessment(doc, by="teacher")


async def submit(app, code: str, assessment: str | None = None, token: str = "alice-token"):
    body = {"problem_id": "add-two", "code": code}
    if assessment:
        body["assessment_id"] = assessment
    return await call(app, "POST", "/api/submissions", body, token=token)


async def test_before_during_and_after_the_window(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0, Admission__rate_per_minute=0)
    await add_assessment(app, "later", opens=30, closes=90)
    await add_assessment(app, "now", opens=-5, closes=60)
    await add_assessment(app, "over", opens=-90, closes=-30)

    code, body, _ = await submit(app, GOOD_ADD, "later")
    assert code == 409 and "opens in 30 min" in body["message"], body
    code, body, _ = await submit(app, GOOD_ADD, "over")
    assert code == 409 and "is closed" in body["message"] and "practise" in body["message"]
    code, body, _ = await submit(app, GOOD_ADD, "now")
    assert code == 202 and body["assessment_id"] == "now"
    doc = await app.storage.get_submission(body["id"])
    assert doc["assessment_id"] == "now"
    # practice is never affected
    code, body, _ = await submit(app, WRONG_ADD)
    assert code == 202 and "assessment_id" not in body

    code, listed, _ = await call(app, "GET", "/api/assessments")
    states = {a["id"]: a for a in listed["assessments"]}
    assert {k: v["state"] for k, v in states.items()} == {
        "later": "upcoming",
        "now": "open",
        "over": "closed",
    }
    assert states["now"]["attempts"] == {"add-two": 1} and 3500 < states["now"]["seconds_left"]
    assert states["later"]["seconds_to_open"] > 1700 and states["later"]["attempts"] == {}


async def test_attempts_run_out_but_practice_goes_on(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0, Admission__rate_per_minute=0)
    await add_assessment(app, "quiz", opens=-1, closes=60, max_attempts=2, title="Loops quiz")
    for n in range(2):
        code, body, _ = await submit(app, GOOD_ADD + f"# try {n}\n", "quiz")
        assert code == 202, body
    code, body, _ = await submit(app, GOOD_ADD + "# try 3\n", "quiz")
    assert code == 409
    assert body["message"].startswith("No attempts left for this problem in Loops quiz (2 of 2")
    code, _, _ = await submit(app, GOOD_ADD + "# try 3\n")
    assert code == 202


async def test_a_repeat_or_a_refused_submission_uses_no_attempt(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0, Admission__rate_per_minute=2)
    await add_assessment(app, "quiz", opens=-1, closes=60)
    first = await submit(app, GOOD_ADD, "quiz")
    again = await submit(app, GOOD_ADD, "quiz")  # the same code, still pending
    assert first[0] == again[0] == 202 and again[1]["duplicate"] is True
    assert await app.storage.attempts_used("quiz", "alice") == {"add-two": 1}
    await submit(app, WRONG_ADD)  # the second submission this minute
    code, body, _ = await submit(app, WRONG_ADD, "quiz")
    assert code == 429, body
    assert await app.storage.attempts_used("quiz", "alice") == {"add-two": 1}


async def test_another_classes_assessment_and_other_problems_are_not_found(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0)
    await add_assessment(app, "theirs", opens=-1, closes=60, cohort="class-b")
    code, body, _ = await submit(app, GOOD_ADD, "theirs")
    assert code == 404
    await add_assessment(app, "ours", opens=-1, closes=60)
    code, body, _ = await call(
        app,
        "POST",
        "/api/submissions",
        {"problem_id": "count-vowels", "code": "x = 1", "assessment_id": "ours"},
    )
    assert code == 404 and "not part of" in body["message"]
    code, body, _ = await submit(app, GOOD_ADD, "Not An Id")
    assert code == 400
    code, listed, _ = await call(app, "GET", "/api/assessments")
    assert [a["id"] for a in listed["assessments"]] == ["ours"]


async def test_assessments_from_the_content_folder_reach_their_class(
    make_service, tmp_path
) -> None:
    import json
    import shutil

    from hub_config.settings import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    now = dt.datetime.now(dt.UTC)
    (content / "assessments.json").write_text(
        json.dumps(
            [
                {
                    "id": "from-file",
                    "title": "Week 1 check",
                    "cohort": "class-a",
                    "problems": ["add-two"],
                    "opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
                    "closes_at": (now + dt.timedelta(hours=1)).isoformat(),
                    "max_attempts": 1,
                }
            ]
        )
    )
    app = await make_service(content_dir=str(content), WorkerPool__concurrency=0)
    code, listed, _ = await call(app, "GET", "/api/assessments")
    assert [(a["id"], a["state"]) for a in listed["assessments"]] == [("from-file", "open")]
    code, body, _ = await submit(app, GOOD_ADD, "from-file")
    assert code == 202 and body["assessment_id"] == "from-file"
