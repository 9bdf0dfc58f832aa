"""LTI 1.3 launches through the real JupyterHub (over HTTPS, as in a school).

A stand-in learning platform runs in this test on 127.0.0.1: it publishes the public half
of an RSA key it generated (``/jwks``) and answers the hub's authentication requests
(``/auth``) the way Moodle or Canvas do, with an auto-submitting form that POSTs a signed
``id_token`` and the ``state`` to the hub. A ``requests`` session plays the learner's
browser (it keeps cookies). No learner server is started: signing in is what is tested.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from hub_config.devstack import Stack
from hub_config.lti import START_FROM_PLATFORM

from ..conftest import platform_stack, running, self_signed_certificate

pytestmark = [pytest.mark.hub, pytest.mark.redis, pytest.mark.mongodb]

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLIENT_ID = "coderunner-test-tool"
DEPLOYMENT_ID = "deployment-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class StandInPlatform:
    """A learning platform, as far as an LTI 1.3 launch needs one."""

    def __init__(self) -> None:
        self.key = new_key()
        self.kid = "platform-key-1"
        self.auth_requests: list[dict[str, str]] = []
        # Seconds /jwks waits before answering (a slow platform).
        self.jwks_delay_seconds = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return self.url

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(
        self,
        nonce: str,
        sub: str,
        /,
        *,
        signing_key: rsa.RSAPrivateKey | None = None,
        **changes: Any,
    ) -> str:
        """A launch's id_token for learner `sub`; `changes` replace claims (None drops
        one, e.g. ``nonce=None``); `signing_key` signs instead of the platform's key (with
        the platform's kid)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "target_link_uri": "https://unused.invalid/",
            LTI + "resource_link": {"id": "link-1", "title": "Python, level 1"},
            LTI + "roles": [LEARNER_ROLE],
            LTI + "context": {"id": "course-7a", "label": "7A", "title": "Computing 7A"},
        }
        for name, value in changes.items():
            name = name if name in claims else LTI + name
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(
            claims, signing_key or self.key, algorithm="RS256", headers={"kid": self.kid}
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                if url.path == "/jwks":
                    time.sleep(platform.jwks_delay_seconds)
                    self._answer(200, "application/json", json.dumps(platform.jwks()))
                elif url.path == "/auth":
                    self._authorize(dict(parse_qsl(url.query)))
                else:
                    self._answer(404, "text/plain", "not found")

            def _authorize(self, args: dict[str, str]) -> None:
                """The platform's side of step 2: the learner is signed in to the
                platform (login_hint), so it answers with the signed launch."""
                platform.auth_requests.append(args)
                sub = args["login_hint"]  # this stand-in uses the learner's id as the hint
                token = platform.id_token(args["nonce"], sub)
                form = "".join(
                    f'<input type="hidden" name="{n}" value="{html.escape(v)}">'
                    for n, v in (("id_token", token), ("state", args["state"]))
                )
                page = (
                    f'<form method="post" action="{html.escape(args["redirect_uri"])}">'
                    f"{form}</form><script>document.forms[0].submit()</script>"
                )
                self._answer(200, "text/html", page)

            def _answer(self, status: int, kind: str, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def __enter__(self) -> StandInPlatform:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def platform() -> Iterator[StandInPlatform]:
    with StandInPlatform() as p:
        yield p


@pytest.fixture(scope="module")
def lti_stack(
    tmp_path_factory: pytest.TempPathFactory, sandbox_image: str, platform: StandInPlatform
) -> Iterator[Stack]:
    """The whole platform over HTTPS, signing in only through the stand-in platform."""
    state = tmp_path_factory.mktemp("lti")
    cert, key = self_signed_certificate(state)
    stack = platform_stack(
        state,
        sandbox_image,
        demo_password="",
        ssl_cert=cert,
        ssl_key=key,
        extra_env={
            "CODERUNNER_AUTH": "lti13",
            "CODERUNNER_LTI_ISSUER": platform.issuer,
            "CODERUNNER_LTI_CLIENT_ID": CLIENT_ID,
            "CODERUNNER_LTI_AUTHORIZE_URL": f"{platform.url}/auth",
            "CODERUNNER_LTI_JWKS_URL": f"{platform.url}/jwks",
            "CODERUNNER_LTI_DEPLOYMENT_IDS": DEPLOYMENT_ID,
        },
    )
    with running(stack, "lti-stack"):
        yield stack


def browser(stack: Stack) -> requests.Session:
    """A learner's browser: keeps cookies, trusts the stack's own certificate."""
    session = requests.Session()
    # Not the environment's CA bundle or proxies (they would override `verify`).
    session.trust_env = False
    session.verify = stack.ssl_cert
    return session


def initiate(
    stack: Stack, platform: StandInPlatform, session: requests.Session, sub: str, method="POST"
) -> requests.Response:
    """Step 1: the platform sends the learner's browser to the hub's login initiation."""
    args = {
        "iss": platform.issuer,
        "login_hint": sub,
        "target_link_uri": f"{stack.hub_url}/hub/home",
        "lti_message_hint": "link-1",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
    }
    url = f"{stack.hub_url}/hub/lti13/oauth_login"
    if method == "GET":
        return session.get(url, params=args, allow_redirects=False, timeout=30)
    return session.post(url, data=args, allow_redirects=False, timeout=30)


def read_form(page: requests.Response) -> dict[str, str]:
    """The auto-submitting form of the platform's answer: ``action``, ``id_token`` and
    ``state``, ready to be posted (or tampered with)."""
    assert page.status_code == 200, page.text[:500]
    fields = dict(re.findall(r'name="(id_token|state)" value="([^"]*)"', page.text))
    action = re.search(r'action="([^"]*)"', page.text)
    assert action and set(fields) == {"id_token", "state"}, page.text[:500]
    fields["action"] = action.group(1)
    return {name: html.unescape(value) for name, value in fields.items()}


def platform_form(
    stack: Stack, platform: StandInPlatform, session: requests.Session, sub: str, method="POST"
) -> dict[str, str]:
    """Steps 1 and 2: the form the platform answers the hub's authentication request
    with."""
    start = initiate(stack, platform, session, sub, method)
    assert start.status_code == 302, start.text[:500]
    return read_form(session.get(start.headers["Location"], timeout=30))


def post_launch(session: requests.Session, form: dict[str, str]) -> requests.Response:
    """Step 3: the auto-submitted form arrives at the hub."""
    data = {k: v for k, v in form.items() if k != "action"}
    return session.post(form["action"], data=data, allow_redirects=False, timeout=60)


def hub_user(stack: Stack, name: str) -> dict | None:
    try:
        return stack.api("GET", f"/users/{name}")
    except HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def test_a_launch_from_the_platform_signs_the_learner_in(
    lti_stack: Stack, platform: StandInPlatform
) -> None:
    sub = f"F81D4FAE-{uuid.uuid4().hex[:8]}"  # opaque, as platforms send it
    session = browser(lti_stack)
    start = initiate(lti_stack, platform, session, sub)
    assert start.status_code == 302
    # The state and nonce cookies must survive the platform's cross-site POST.
    cookies = start.raw.headers.getlist("Set-Cookie")
    lti_cookies = [c for c in cookies if c.startswith("lti13authenticator-")]
    assert len(lti_cookies) == 2, cookies
    for cookie in lti_cookies:
        assert "samesite=none" in cookie.lower() and "secure" in cookie.lower(), cookie

    form = read_form(session.get(start.headers["Location"], timeout=30))
    request = platform.auth_requests[-1]
    assert request["redirect_uri"] == f"{lti_stack.hub_url}/hub/lti13/oauth_callback"
    assert request["client_id"] == CLIENT_ID
    assert request["lti_message_hint"] == "link-1"
    assert (request["response_type"], request["response_mode"]) == ("id_token", "form_post")
    assert (request["scope"], request["prompt"]) == ("openid", "none")

    assert form["action"] == request["redirect_uri"]
    launch = post_launch(session, form)
    assert launch.status_code == 302, launch.text[:1000]
    assert launch.headers["Location"] == "/hub/home"  # the platform's target link

    me = session.get(f"{lti_stack.hub_url}/hub/api/user", timeout=30)
    assert me.status_code == 200, me.text[:500]
    name = sub.lower()  # JupyterHub keeps usernames in lower case
    assert me.json()["name"] == name
    user = hub_user(lti_stack, name)
    assert user is not None and user["admin"] is False
    assert user["servers"] == {}  # signing in does not start a learner server
    assert not [c for c in session.cookies if c.name.startswith("lti13authenticator-")]

    # The same form posted again (a replay) is refused: its state was used up.
    again = post_launch(session, form)
    assert again.status_code == 400
    assert "state missing from cookies" in again.text


def test_login_initiation_by_get_works_too(lti_stack: Stack, platform: StandInPlatform) -> None:
    sub = f"get-{uuid.uuid4().hex[:8]}"
    session = browser(lti_stack)
    launch = post_launch(session, platform_form(lti_stack, platform, session, sub, "GET"))
    assert launch.status_code == 302, launch.text[:1000]
    assert hub_user(lti_stack, sub) is not None


def test_the_next_launch_in_a_shared_browser_signs_in_whoever_launched(
    lti_stack: Stack, platform: StandInPlatform
) -> None:
    """A school computer: one learner launches, then another, without signing out."""
    session = browser(lti_stack)
    for sub in (f"first-{uuid.uuid4().hex[:8]}", f"second-{uuid.uuid4().hex[:8]}"):
        for _ in range(2):  # the same learner opening Code Runner again works too
            launch = post_launch(session, platform_form(lti_stack, platform, session, sub))
            assert launch.status_code == 302, launch.text[:1000]
            me = session.get(f"{lti_stack.hub_url}/hub/api/user", timeout=30)
            assert me.json()["name"] == sub


def test_opening_the_hub_directly_says_where_to_start(lti_stack: Stack) -> None:
    session = browser(lti_stack)
    login = session.get(f"{lti_stack.hub_url}/hub/login", timeout=30)
    assert login.status_code == 200
    assert "your school's learning platform" in html.unescape(login.text)
    assert "/hub/lti13/oauth_login" in login.text  # no password form
    assert 'type="password"' not in login.text
    page = session.get(f"{lti_stack.hub_url}/hub/lti13/oauth_login", timeout=30)
    assert page.status_code == 400
    assert START_FROM_PLATFORM in html.unescape(page.text)


def other_launch_state(stack: Stack, platform: StandInPlatform) -> str:
    """The state of a launch begun in another browser."""
    session = browser(stack)
    return platform_form(stack, platform, session, "someone-else")["state"]


def nonce_of(platform: StandInPlatform) -> str:
    return platform.auth_requests[-1]["nonce"]


# How a forged or broken launch is made from a good one, what the hub answers and says.
Tamper = Callable[[StandInPlatform, Stack, dict[str, str], str], dict[str, str]]
REFUSED: dict[str, tuple[Tamper, int, str]] = {
    "signed by another key": (
        lambda p, s, f, sub: {**f, "id_token": p.id_token(nonce_of(p), sub, signing_key=new_key())},
        400,
        "Signature verification failed",
    ),
    "for another tool (aud)": (
        lambda p, s, f, sub: {**f, "id_token": p.id_token(nonce_of(p), sub, aud="other-tool")},
        401,
        "Audience doesn",
    ),
    "from another issuer": (
        lambda p, s, f, sub: {
            **f,
            "id_token": p.id_token(nonce_of(p), sub, iss="https://evil.invalid"),
        },
        400,
        "Invalid issuer",
    ),
    "with a nonce this browser was not given": (
        lambda p, s, f, sub: {**f, "id_token": p.id_token("0" * 64, sub)},
        400,
        "nonce mismatch",
    ),
    "without a nonce": (
        lambda p, s, f, sub: {**f, "id_token": p.id_token(nonce_of(p), sub, nonce=None)},
        400,
        "arg nonce not in",
    ),
    "with the state of another browser's launch": (
        lambda p, s, f, sub: {**f, "state": other_launch_state(s, p)},
        400,
        "state mismatch",
    ),
    "without a state": (
        lambda p, s, f, sub: {k: v for k, v in f.items() if k != "state"},
        400,
        "arg state not in",
    ),
    "issued 15 minutes ago": (
        lambda p, s, f, sub: {
            **f,
            "id_token": p.id_token(nonce_of(p), sub, iat=int(time.time()) - 900),
        },
        400,
        "issued too long ago",
    ),
    "expired": (
        lambda p, s, f, sub: {
            **f,
            "id_token": p.id_token(nonce_of(p), sub, exp=int(time.time()) - 120),
        },
        400,
        "Signature has expired",
    ),
    "without the LTI roles claim": (
        lambda p, s, f, sub: {**f, "id_token": p.id_token(nonce_of(p), sub, roles=None)},
        400,
        "claim/roles not in",
    ),
    "from a deployment this hub does not know": (
        lambda p, s, f, sub: {
            **f,
            "id_token": p.id_token(nonce_of(p), sub, deployment_id="deployment-2"),
        },
        403,
        "deployment",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_forged_or_broken_launches_are_refused(
    lti_stack: Stack, platform: StandInPlatform, case: str
) -> None:
    tamper, status, words = REFUSED[case]
    sub = f"refused-{uuid.uuid4().hex[:8]}"
    session = browser(lti_stack)
    form = tamper(platform, lti_stack, platform_form(lti_stack, platform, session, sub), sub)
    launch = post_launch(session, form)
    assert launch.status_code == status, launch.text[:1000]
    assert words.lower() in html.unescape(launch.text).lower()
    assert hub_user(lti_stack, sub) is None
    assert session.get(f"{lti_stack.hub_url}/hub/api/user", timeout=30).status_code == 403


def test_platform_clock_a_little_ahead_is_tolerated(
    lti_stack: Stack, platform: StandInPlatform
) -> None:
    sub = f"clock-{uuid.uuid4().hex[:8]}"
    session = browser(lti_stack)
    form = platform_form(lti_stack, platform, session, sub)
    ahead = platform.id_token(nonce_of(platform), sub, iat=int(time.time()) + 10)
    launch = post_launch(session, {**form, "id_token": ahead})
    assert launch.status_code == 302, launch.text[:1000]


def test_a_slow_platform_keyset_does_not_stop_the_hub(
    lti_stack: Stack, platform: StandInPlatform
) -> None:
    """The signature check fetches the platform's JWKS on every launch; while one
    launch waits for a slow platform, the hub keeps answering everyone else."""
    sub = f"slow-{uuid.uuid4().hex[:8]}"
    session = browser(lti_stack)
    form = platform_form(lti_stack, platform, session, sub)
    result: dict[str, Any] = {}

    def launch() -> None:
        started = time.monotonic()
        result["response"] = post_launch(session, form)
        result["seconds"] = time.monotonic() - started

    platform.jwks_delay_seconds = 3.0
    try:
        thread = threading.Thread(target=launch)
        thread.start()
        time.sleep(0.3)  # the launch is now waiting for the keyset
        waits = []
        someone_else = browser(lti_stack)
        while thread.is_alive() and len(waits) < 20:
            started = time.monotonic()
            assert someone_else.get(f"{lti_stack.hub_url}/hub/api", timeout=30).ok
            waits.append(time.monotonic() - started)
            time.sleep(0.1)
        thread.join(30)
    finally:
        platform.jwks_delay_seconds = 0.0
    assert result["response"].status_code == 302, result["response"].text[:1000]
    assert result["seconds"] >= 3.0
    assert len(waits) >= 5 and max(waits) < 1.5, waits
