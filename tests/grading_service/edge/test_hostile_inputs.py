"""Hostile input (issue 12), case by case, through the real service in-process (real
Redis and MongoDB-protocol server; no workers, nothing is graded): each request is
refused with a clear 4xx and a JSON message, never a 500, and nothing is stored for it:
no submission, nothing queued, nothing counted against the learner's quota.

Already covered elsewhere: a body that is not JSON, code over the size limit, a notebook
using IPython magics (test_handlers.py); notebooks nbformat cannot validate
(test_notebook.py); missing, stolen and forged tokens (test_auth.py, test_tokens.py).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlparse

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.web import HTTPError

from grading_service.edge import handlers

from ..api import GOOD_ADD, call

SUBMIT = "/api/submissions"


@pytest.fixture
async def app(make_service) -> Any:
    """A service that accepts and queues but grades nothing."""
    return await make_service(
        WorkerPool__concurrency=0,
        SandboxPool__size=0,
        max_wait_seconds=1.0,
    )


async def send(
    app: Any, method: str, path: str, body: bytes | None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request as a learner, with exactly these bytes and headers."""
    try:
        response = await AsyncHTTPClient().fetch(
            f"{app.base}{path}",
            method=method,
            body=body,
            headers={"Authorization": "token alice-token", **(headers or {})},
            request_timeout=30,
        )
    except HTTPClientError as exc:
        assert exc.response is not None, exc
        response = exc.response
    return response.code, dict(response.headers), response.body


async def refused(
    app: Any,
    body: bytes | dict | list | None,
    *,
    status: int = 400,
    words: str = "",
    method: str = "POST",
    path: str = SUBMIT,
    headers: dict[str, str] | None = None,
) -> str:
    """Send it, check it is refused with ``status`` and a JSON message holding
    ``words``, and that nothing was stored or counted; the message."""
    raw = body if isinstance(body, bytes | None) else json.dumps(body).encode()
    code, answer_headers, answer = await send(app, method, path, raw, headers)
    assert code == status, (code, answer[:500])
    assert answer_headers["Content-Type"].startswith("application/json")
    message = json.loads(answer)["message"]
    assert words in message, message
    await nothing_stored(app)
    return message


async def nothing_stored(app: Any, user: str = "alice") -> None:
    assert await app.storage.submissions_of(user, 10) == []
    assert await app.queue.depth() == 0
    quota = [k async for k in app.redis.scan_iter(f"{app.admission.key_prefix}:quota:{user}:*")]
    assert [await app.redis.get(k) for k in quota] in ([], ["0"])


async def still_serving(app: Any) -> None:
    """The service answers, and a good submission is still accepted."""
    code, body, _ = await call(app, "POST", SUBMIT, {"problem_id": "add-two", "code": GOOD_ADD})
    assert code == 202, body


def notebook(*cells: Any, **fields: Any) -> dict[str, Any]:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells), **fields}


def code_cell(source: Any, cid: str = "c", tags: list[str] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "id": cid,
        "metadata": {"tags": tags or []},
        "execution_count": None,
        "outputs": [],
        "source": source,
    }


MARKDOWN = {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# My answer"}

# Malformed notebooks, named as in the issue.
MALFORMED_NOTEBOOKS = {
    "not JSON": ("{'cells': [", "nbformat v4 JSON object"),
    "JSON that is not a notebook": ({"homework": "add two numbers", "answer": 3}, "nbformat"),
    "a list instead of a notebook": ([code_cell(GOOD_ADD)], "nbformat v4 JSON object"),
    "cells of wrong types": (notebook(1, "def add(a, b): ...", None, [MARKDOWN]), "nbformat"),
    "a cell of no known type": (
        notebook({**code_cell(GOOD_ADD), "cell_type": "grade-me"}),
        "nbformat",
    ),
    "a code cell whose source is a number": (notebook(code_cell(42)), "nbformat"),
    "nbformat 3": (
        {
            "nbformat": 3,
            "nbformat_minor": 0,
            "metadata": {},
            "worksheets": [{"cells": [{"cell_type": "code", "input": GOOD_ADD, "outputs": []}]}],
        },
        "nbformat",
    ),
    "nbformat 5": (notebook(code_cell(GOOD_ADD), nbformat=5), "nbformat"),
    "a notebook with no code cells": (notebook(MARKDOWN), "no code cells"),
    "a notebook whose code cells are all skip-grading": (
        notebook(MARKDOWN, code_cell(GOOD_ADD, tags=["skip-grading"])),
        "no code cells",
    ),
}


@pytest.mark.parametrize("case", MALFORMED_NOTEBOOKS)
async def test_malformed_notebooks_are_refused_and_nothing_is_stored(app, case: str) -> None:
    nb, words = MALFORMED_NOTEBOOKS[case]
    await refused(app, {"problem_id": "add-two", "notebook": nb}, words=words)
    await still_serving(app)


async def test_huge_json_bodies_over_the_body_limit_are_413(app) -> None:
    limit = app.submissions.max_body_bytes()
    padding = "#" * (limit + 1)
    body = {"problem_id": "add-two", "notebook": notebook(code_cell(GOOD_ADD + padding))}
    message = await refused(app, body, status=413, words="larger than")
    assert str(app.max_notebook_bytes) in message
    await still_serving(app)


async def test_a_body_five_times_the_limit_is_a_json_413_the_sender_sees(app) -> None:
    """Above the HTTP server's own body limit (4 × max_notebook_bytes), where tornado
    answered a bare 400: the handler reads and drops the body and answers in words."""
    huge = b'{"problem_id": "add-two", "code": "' + b"x" * (app.max_notebook_bytes * 5) + b'"}'
    message = await refused(app, huge, status=413, words="larger than")
    assert str(app.max_notebook_bytes) in message
    await still_serving(app)


async def test_a_body_beyond_what_is_read_and_dropped_is_cut_off_without_a_500(app) -> None:
    """Beyond READ_AND_DROP_FACTOR × the limit tornado answers a bare 400 (no JSON) and
    closes the connection, or the client sees the connection close while it still
    sends; never a 500, and nothing kept."""
    size = app.submissions.max_body_bytes() * handlers.READ_AND_DROP_FACTOR + 1
    huge = b'{"problem_id": "add-two", "code": "' + b"x" * size + b'"}'
    try:
        code, _, _ = await send(app, "POST", SUBMIT, huge)
    except OSError:  # the connection was closed under the client
        code = None
    assert code in (None, 400)
    await nothing_stored(app)
    await still_serving(app)


@pytest.mark.parametrize(
    ("headers", "status", "words"),
    [
        ({"Authorization": "token not-a-hub-token-at-all"}, 401, "Invalid"),
        ({"Authorization": ""}, 401, "Missing token"),
    ],
    ids=["a token nobody has", "no token"],
)
async def test_a_refusal_before_the_body_reaches_the_sender_of_a_large_body(
    app, headers: dict[str, str], status: int, words: str
) -> None:
    """A request refused before its body is read (here: no valid token) with a body of
    almost the whole limit still gets its JSON answer: the body is read and dropped
    first, so the connection is not closed under a client still sending."""
    padding = "#" * (app.submissions.max_body_bytes() - 2000)
    body = {"problem_id": "add-two", "code": GOOD_ADD + padding}
    for _ in range(3):  # the same answer each time, on fresh connections
        await refused(app, body, status=status, words=words, headers=headers)


async def test_the_rate_limit_reaches_the_sender_of_a_large_body(make_service) -> None:
    app = await make_service(WorkerPool__concurrency=0, SandboxPool__size=0, RequestLimits__burst=1)
    padding = "#" * (app.submissions.max_body_bytes() - 2000)
    body = json.dumps({"problem_id": "no-such-problem", "code": padding}).encode()
    code, _, _ = await send(app, "POST", SUBMIT, body)
    assert code == 404
    code, answer_headers, answer = await send(app, "POST", SUBMIT, body)
    assert code == 429, answer[:300]
    assert int(answer_headers["Retry-After"]) >= 1
    assert json.loads(answer)["message"]


@pytest.mark.parametrize(
    "where",
    ["the body itself", "the notebook", "the code field", "a field nobody reads"],
)
async def test_deeply_nested_json_is_400_quickly(app, where: str) -> None:
    """100,000 nested lists: the JSON decoder gives up at its depth limit (a
    RecursionError, which must not become a 500), in well under a second."""
    depth = 100_000
    nested = b"[" * depth + b"]" * depth
    body = {
        "the body itself": nested,
        "the notebook": b'{"problem_id": "add-two", "notebook": ' + nested + b"}",
        "the code field": b'{"problem_id": "add-two", "code": ' + nested + b"}",
        "a field nobody reads": b'{"problem_id": "add-two", "code": "x = 1", "x": ' + nested + b"}",
    }[where]
    started = time.monotonic()
    await refused(app, body, words="nested too deeply")
    assert time.monotonic() - started < 5
    await still_serving(app)


async def test_a_deep_notebook_the_decoder_accepts_is_still_refused(app) -> None:
    """600 levels: valid JSON, but no notebook; nbformat's validation must not crash."""
    deep: Any = "x"
    for _ in range(300):
        deep = {"cells": [deep]}
    await refused(app, {"problem_id": "add-two", "notebook": deep}, words="nbformat")
    await still_serving(app)


INVALID_UTF8 = {
    "in the body": (b'{"problem_id": "add-two", "code": "caf\xe9 = 1"}', "not valid JSON"),
    "in the code field (an unpaired surrogate)": (
        b'{"problem_id": "add-two", "code": "x = \\"\\udcff\\""}',
        "not valid UTF-8",
    ),
    "in a notebook cell": (
        json.dumps(
            {"problem_id": "add-two", "notebook": notebook(code_cell("s = '\udcff'"))}
        ).encode(),
        "not valid UTF-8",
    ),
}


@pytest.mark.parametrize("case", INVALID_UTF8)
async def test_invalid_utf8_is_400(app, case: str) -> None:
    body, words = INVALID_UTF8[case]
    await refused(app, body, words=words)
    await still_serving(app)


@pytest.mark.parametrize(
    "path",
    [
        "/api/problems/%ff%fe",
        "/api/submissions?problem_id=%ff",
        "/api/users/%c3%28/progress",
    ],
)
async def test_invalid_utf8_in_the_url_is_400(app, path: str) -> None:
    await refused(app, None, method="GET", path=path, words="Invalid unicode")


NOT_OBJECTS = {
    "a list": [{"problem_id": "add-two", "code": GOOD_ADD}],
    "a number": 42,
    "null": None,
    "a string": "add-two",
    "true": True,
}


@pytest.mark.parametrize("path", [SUBMIT, "/api/privacy"])
@pytest.mark.parametrize("case", NOT_OBJECTS)
async def test_a_body_that_is_not_an_object_is_400(app, case: str, path: str) -> None:
    await refused(app, json.dumps(NOT_OBJECTS[case]).encode(), path=path, words="JSON object")
    assert await app.storage.privacy_accepted_at("alice", app.privacy_notice.version) is None


async def test_an_empty_body_is_400(app) -> None:
    await refused(app, b"", words="not valid JSON")


WRONG_CONTENT_TYPES = {
    "a form": (
        "application/x-www-form-urlencoded",
        b"problem_id=add-two&code=def+add(a%2C+b)%3A+return+a+%2B+b",
        "not valid JSON",
    ),
    "multipart form data": (
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="problem_id"\r\n\r\nadd-two\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="code"; filename="a.py"\r\n'
        b"Content-Type: text/x-python\r\n\r\n" + GOOD_ADD.encode() + b"\r\n--XyZ--\r\n",
        "not valid JSON",
    ),
    "broken multipart form data": (
        "multipart/form-data; boundary=XyZ",
        b"--XyZ\r\ngarbage",
        "not valid JSON",
    ),
    "XML": ("application/xml", b"<submission problem='add-two'/>", "not valid JSON"),
    "a Python file": ("text/x-python", GOOD_ADD.encode(), "not valid JSON"),
}


@pytest.mark.parametrize("case", WRONG_CONTENT_TYPES)
async def test_wrong_content_types_are_400(app, case: str) -> None:
    """The service reads every body as JSON, whatever its Content-Type says (tornado's
    own client labels every body a form unless told otherwise), so a body that is a
    form, a file or XML is refused as not JSON."""
    content_type, body, words = WRONG_CONTENT_TYPES[case]
    await refused(app, body, headers={"Content-Type": content_type}, words=words)
    await still_serving(app)


async def test_a_wait_that_is_not_a_number_is_400(app) -> None:
    code, body, _ = await call(app, "POST", SUBMIT, {"problem_id": "add-two", "code": GOOD_ADD})
    assert code == 202
    for wait in ("nan", "NaN", "soon"):
        code, answer, _ = await call(app, "GET", f"{SUBMIT}/{body['id']}?wait={wait}")
        assert code == 400 and "number of seconds" in answer["message"], (wait, answer)


def remove_from_hub(hub: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete ``name`` from the (in-memory) hub as JupyterHub does: their tokens stop
    working (the hub's 403, which HubAuth reads as no user) and ``GET /users/<name>`` is
    a 404 (which HubAuth raises as a 500 "Failed to check authorization")."""
    answer = hub._api_request

    async def removed(method: str, url: str, /, **kwargs: Any) -> Any:
        path = urlparse(url).path.removeprefix(urlparse(hub.api_url).path)
        if path == "/user" and kwargs["headers"]["Authorization"] == f"token {name}-token":
            return None
        if path == f"/users/{name}":
            raise HTTPError(500, "Failed to check authorization: Unknown error")
        return await answer(method, url, **kwargs)

    monkeypatch.setattr(hub, "_api_request", removed)


async def test_the_token_of_a_learner_removed_from_the_hub_is_refused(app, monkeypatch) -> None:
    assert (await call(app, "GET", "/api/progress"))[0] == 200  # the hub's answer is cached
    remove_from_hub(app.hub_auth, "alice", monkeypatch)
    app.hub_auth.cache.clear()  # as when the cached answer expires (HubAuth.cache_max_age)
    submission = {"problem_id": "add-two", "code": GOOD_ADD}
    for method, path, body in [("GET", "/api/progress", None), ("POST", SUBMIT, submission)]:
        code, answer, _ = await call(app, method, path, body)
        assert code == 401 and "token" in answer["message"], (path, answer)
    await nothing_stored(app)


async def test_a_removed_learner_whose_token_is_still_cached_is_refused_not_told_to_retry(
    make_service, monkeypatch
) -> None:
    """The token's answer is still in HubAuth's cache, but the learner's groups are asked
    again (HubIdentity.groups_cache_seconds): the hub's 404 for the user means they are
    gone (401), not that the hub is unreachable (503, "try again shortly")."""
    app = await make_service(
        WorkerPool__concurrency=0,
        SandboxPool__size=0,
        HubIdentity__groups_cache_seconds=0.0,
    )
    assert (await call(app, "GET", "/api/progress"))[0] == 200
    remove_from_hub(app.hub_auth, "alice", monkeypatch)
    code, answer, headers = await call(
        app, "POST", SUBMIT, {"problem_id": "add-two", "code": GOOD_ADD}
    )
    assert code == 401 and "Retry-After" not in headers, answer
    assert (await call(app, "GET", "/api/progress"))[0] == 401
    await nothing_stored(app)
