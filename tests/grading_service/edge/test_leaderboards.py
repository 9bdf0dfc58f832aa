"""The leaderboard endpoint (edge/leaderboards.py): only the caller's class, only when
switched on, only named learners; in-process with the real MongoDB-protocol server."""

from __future__ import annotations

from ..api import GOOD_ADD, WRONG_ADD, call


async def test_a_class_sees_its_board_only_when_it_is_on(make_service, verdict_of) -> None:
    app = await make_service(Admission__rate_per_minute=0)
    hub = app.hub_auth
    hub.members = {"class-a": ["alice", "bob", "dan"], "class-b": ["carol"]}
    hub.groups = {
        "alice": ["class-a"],
        "bob": ["class-a"],
        "dan": ["class-a"],
        "carol": ["class-b"],
    }
    hub.properties = {"class-a": {"coderunner": {"display_name": "Class A"}}}
    for user, code in (("alice", GOOD_ADD), ("bob", WRONG_ADD)):
        _, body, _ = await call(
            app,
            "POST",
            "/api/submissions",
            {"problem_id": "add-two", "code": code},
            token=f"{user}-token",
        )
        await verdict_of(app.base, body["id"], f"{user}-token")

    code, body, _ = await call(app, "GET", "/api/leaderboard")
    assert code == 200 and body == {"boards": []}, "off by default"

    await app.storage.set_leaderboard(
        "class-a", True, {"alice": "Star", "bob": "Rocket"}, by="teacher"
    )
    for _ in range(30):  # progress is written just after the verdict
        _, body, _ = await call(app, "GET", "/api/leaderboard", token="bob-token")
        if body["boards"][0]["rows"][0]["points"] == 10:
            break
    (board,) = body["boards"]
    assert board["display_name"] == "Class A"
    assert [(r["rank"], r["name"], r["points"], r["streak"], r["me"]) for r in board["rows"]] == [
        (1, "Star", 10, 1, False),
        (2, "Rocket", board["rows"][1]["points"], 0, True),
    ]
    assert board["me"]["name"] == "Rocket"
    _, unnamed, _ = await call(app, "GET", "/api/leaderboard", token="dan-token")
    assert unnamed["boards"][0]["me"] is None
    _, other, _ = await call(app, "GET", "/api/leaderboard", token="carol-token")
    assert other == {"boards": []}, "another class never sees it"

    await app.storage.set_leaderboard("class-a", False, {"alice": "Star"}, by="teacher")
    _, body, _ = await call(app, "GET", "/api/leaderboard")
    assert body == {"boards": []}
    trail = await app.storage.audit_of(["cohort:class-a"])
    assert [a["action"] for a in trail] == ["leaderboard off", "leaderboard on"]
