"""Who is calling (edge/auth.py): the token in the header, JWTs verified here and hub
tokens asked of JupyterHub (``FakeHubAuth``: JupyterHub's HubAuth with the hub's answers
in memory), the user's groups cached; and a service account through the real service."""

from __future__ import annotations

import secrets
import time

import pytest

from grading_service.edge.auth import AuthError, HubIdentity, Identities, token_from_header
from grading_service.edge.tokens import TokenConfig, mint, validate_secret

from ..api import GOOD_ADD, call
from ..fake_hub import GRADER_SCOPE, FakeHubAuth

KEY = validate_secret(secrets.token_hex(32))


@pytest.fixture(autouse=True)
def no_jwt_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CODERUNNER_JWT_ISSUER", "CODERUNNER_JWT_AUDIENCE", "CODERUNNER_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def hub() -> FakeHubAuth:
    return FakeHubAuth()


@pytest.fixture
def identities(hub: FakeHubAuth) -> Identities:
    return Identities(HubIdentity(hub), TokenConfig(), KEY)


def service_token(tokens: TokenConfig, key: bytes = KEY, **kwargs) -> str:
    return mint(
        key,
        "batch-1",
        role="grader",
        lifetime_seconds=kwargs.pop("lifetime_seconds", 600),
        issuer=tokens.issuer,
        audience=tokens.audience,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("token abc123", "abc123"),
        ("Token abc123", "abc123"),
        ("bearer abc123", "abc123"),
        ("  BEARER   abc123  ", "abc123"),
        ("token a.b.c", "a.b.c"),
        (None, None),
        ("", None),
        ("abc123", None),
        ("token", None),
        ("basic abc123", None),
        ("token abc 123", None),
    ],
)
def test_token_from_header_takes_token_or_bearer_and_one_word(
    header: str | None, token: str | None
) -> None:
    assert token_from_header(header) == token


async def test_a_hub_token_is_asked_of_the_hub_and_its_groups_looked_up(
    identities: Identities, hub: FakeHubAuth
) -> None:
    user = await identities.user_for("token alice-token")
    assert (user["name"], user["kind"], user["groups"]) == ("alice", "user", ["class-a"])
    assert hub.requests == [("GET", "/user"), ("GET", "/users/alice")]


async def test_groups_in_the_hubs_answer_are_used_as_they_are(
    identities: Identities, hub: FakeHubAuth
) -> None:
    hub.groups_in_token_model = True
    user = await identities.user_for("token teacher-token")
    assert user["groups"] == ["teachers"]
    assert hub.requests == [("GET", "/user")]


async def test_a_jwt_is_verified_here_and_never_sent_to_the_hub(
    identities: Identities, hub: FakeHubAuth
) -> None:
    token = service_token(identities.tokens, groups=["exam-room"])
    user = await identities.user_for(f"Bearer {token}")
    assert user == {
        "name": "service:batch-1",
        "kind": "service",
        "role": "grader",
        "groups": ["exam-room"],
        "scopes": [],
    }
    assert hub.requests == []


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tokens: service_token(tokens, now=time.time() - 7200, lifetime_seconds=60), "exp"),
        (lambda tokens: service_token(tokens, key=bytes(range(100, 132))), "signature"),
    ],
    ids=["expired", "signed with another key"],
)
async def test_a_bad_jwt_is_401_saying_why_and_the_hub_is_not_asked(
    identities: Identities, hub: FakeHubAuth, make, reason: str
) -> None:
    with pytest.raises(AuthError) as refused:
        await identities.user_for(f"token {make(identities.tokens)}")
    assert refused.value.status == 401 and refused.value.message.startswith("Invalid token")
    assert reason in refused.value.message.lower()
    assert hub.requests == []


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (None, "Missing token"),
        ("basic xyz", "Missing token"),
        ("token stolen-token", "Invalid or expired token"),
    ],
)
async def test_no_token_or_one_the_hub_does_not_know_is_401(
    identities: Identities, header: str | None, words: str
) -> None:
    with pytest.raises(AuthError) as refused:
        await identities.user_for(header)
    assert refused.value.status == 401 and words in refused.value.message


async def test_a_hub_token_without_the_grader_scope_is_401_naming_the_scope(
    identities: Identities, hub: FakeHubAuth
) -> None:
    hub.scopes = ["access:servers!user=alice"]
    with pytest.raises(AuthError) as refused:
        await identities.user_for("token alice-token")
    assert refused.value.status == 401 and GRADER_SCOPE in refused.value.message


async def test_an_unreachable_hub_is_503_not_401(identities: Identities, hub: FakeHubAuth) -> None:
    hub.reachable = False
    with pytest.raises(AuthError) as refused:
        await identities.user_for("token alice-token")
    assert refused.value.status == 503 and "Cannot reach JupyterHub" in refused.value.message
    with pytest.raises(AuthError) as refused:
        await identities.hub.groups_of("alice")
    assert refused.value.status == 503 and "groups" in refused.value.message


async def test_groups_are_remembered_for_groups_cache_seconds(hub: FakeHubAuth) -> None:
    identity = HubIdentity(hub, groups_cache_seconds=60)
    assert await identity.groups_of("alice") == ["class-a"]
    hub.groups["alice"] = ["exam-room"]
    assert await identity.groups_of("alice") == ["class-a"]  # from the cache
    assert hub.requests == [("GET", "/users/alice")]
    identity.groups_cache_seconds = 0  # the cached answer is now too old
    assert await identity.groups_of("alice") == ["exam-room"]
    assert len(hub.requests) == 2


async def test_names_are_quoted_when_asking_for_groups(hub: FakeHubAuth) -> None:
    assert await HubIdentity(hub).groups_of("a b/c") == ["class-a"]
    assert hub.requests == [("GET", "/users/a%20b%2Fc")]


async def test_grader_service_accounts_use_jwts_and_get_the_batch_lane(
    make_service, jwt_secret
) -> None:
    app = await make_service(WorkerPool__concurrency=0)
    key = validate_secret(jwt_secret)
    token = service_token(app.tokens, key)
    code, body, _ = await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}, token=token
    )
    assert code == 202, body
    assert await app.queue.depth(lane="batch") == 1
    doc = await app.storage.get_submission(body["id"])
    assert doc["user"] == "service:batch-1" and doc["lane"] == "batch"

    expired = service_token(app.tokens, key, now=time.time() - 7200, lifetime_seconds=60)
    code, body, _ = await call(app, "GET", "/api/progress", token=expired)
    assert code == 401 and "expired" in body["message"]
    forged = service_token(app.tokens, b"x" * 16 + bytes(range(16)), lifetime_seconds=60)
    assert (await call(app, "GET", "/api/progress", token=forged))[0] == 401
