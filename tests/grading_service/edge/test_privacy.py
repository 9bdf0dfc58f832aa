"""The privacy notice and its acceptance (edge/privacy.py), in-process with the real
MongoDB-protocol server; the browser side is in tests/integration/test_privacy_notice.py."""

from __future__ import annotations

from ..api import call


async def test_a_learner_accepts_the_current_notice_once(make_service, tmp_path) -> None:
    notice = tmp_path / "notice.md"
    notice.write_text("# Our school\n\nWe keep your code for a year.\n")
    app = await make_service(privacy_notice_file=str(notice))
    code, body, _ = await call(app, "GET", "/api/privacy")
    assert code == 200 and body["accepted_at"] is None
    assert body["text"].startswith("# Our school")
    version = body["version"]

    code, stale, _ = await call(app, "POST", "/api/privacy", {"version": "0" * 16})
    assert code == 409 and "changed" in stale["message"]
    code, bad, _ = await call(app, "POST", "/api/privacy", {"version": 3})
    assert code == 400

    code, first, _ = await call(app, "POST", "/api/privacy", {"version": version})
    assert code == 200 and first["accepted_at"]
    code, again, _ = await call(app, "POST", "/api/privacy", {"version": version})
    assert again["accepted_at"] == first["accepted_at"], "the first acceptance is kept"
    code, body, _ = await call(app, "GET", "/api/privacy")
    assert body["accepted_at"] == first["accepted_at"]

    code, other, _ = await call(app, "GET", "/api/privacy", token="bob-token")
    assert other["accepted_at"] is None, "one learner's acceptance is theirs only"


async def test_a_changed_notice_is_shown_again(make_service, tmp_path) -> None:
    notice = tmp_path / "notice.md"
    notice.write_text("Version one.")
    first = await make_service(privacy_notice_file=str(notice), mongodb_database="privacy_x")
    _, body, _ = await call(first, "GET", "/api/privacy")
    await call(first, "POST", "/api/privacy", {"version": body["version"]})
    notice.write_text("Version two: we now also keep your drawings.")
    second = await make_service(privacy_notice_file=str(notice), mongodb_database="privacy_x")
    _, body, _ = await call(second, "GET", "/api/privacy")
    assert body["text"].startswith("Version two") and body["accepted_at"] is None
