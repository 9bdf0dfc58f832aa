"""LTI 1.3 sign-in: a school's learning platform (Moodle, Canvas, ...) launches Code Runner.

The platform is the identity provider. A launch is an OpenID Connect implicit flow
(jupyterhub-ltiauthenticator 1.6.3 does the protocol):

1. the platform sends the browser to ``/hub/lti13/oauth_login`` (login initiation);
2. the hub sends it back to the platform's authorization URL with a ``state`` and a
   ``nonce``, each bound to the browser by an encrypted cookie;
3. the platform answers with a form POST of a signed ``id_token`` to
   ``/hub/lti13/oauth_callback``; the hub checks the signature against the platform's
   JWKS, the issuer, the audience (client id), the nonce and the state, and signs the
   learner in.

Settings come from ``CODERUNNER_LTI_*`` environment variables (see ``LTISettings`` and
hub_config/LTI.md) and are checked at start: the hub refuses to start with one message
listing every problem. ``CodeRunnerLTI13Authenticator`` adds three things to the
library's ``LTI13Authenticator``, each explained where it is done: the JWKS check runs in
a thread, the state cookies survive the platform's cross-site POST, and launches can be
limited to known deployments.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ltiauthenticator.lti13.auth import LTI13Authenticator  # type: ignore[import-untyped]
from ltiauthenticator.lti13.error import (  # type: ignore[import-untyped]
    InvalidAudienceError,
    LoginError,
    ValidationError,
)
from ltiauthenticator.lti13.handlers import (  # type: ignore[import-untyped]
    LTI13CallbackHandler,
    LTI13LoginInitHandler,
)
from tornado.web import HTTPError
from traitlets import Set, Unicode

DEPLOYMENT_ID_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
# The platform's and the hub's clocks may differ a little; ltiauthenticator's default
# (0 s) refuses a token whose `iat` is one second in the future ("not yet valid").
CLOCK_LEEWAY_SECONDS = 30
# Claims that name a person rather than identify one: two learners called Sam would share
# one account (and children's names would become usernames).
NOT_UNIQUE_CLAIMS = frozenset({"name", "given_name", "family_name", "middle_name", "nickname"})
CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
START_FROM_PLATFORM = (
    "Code Runner opens from your course in your school's learning platform "
    "(Moodle, Canvas, ...): open it from there."
)


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def url_problem(name: str, value: str, *, issuer: bool = False) -> str | None:
    """What is wrong with a platform URL, or None: https only (plain http is accepted on
    a loopback address, where tests run a stand-in platform)."""
    if not value:
        return f"{name} is not set"
    parts = urlsplit(value)
    if not parts.hostname or not (
        parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))
    ):
        return f"{name} must be an https:// URL (plain http only on a loopback address): {value!r}"
    if issuer and (parts.query or parts.fragment):
        return f"{name} must have no query or fragment (LTI 1.3 issuer): {value!r}"
    return None


@dataclass(frozen=True)
class LTISettings:
    """The platform as registered with Code Runner, from ``CODERUNNER_LTI_*``."""

    # CODERUNNER_LTI_ISSUER: the platform's issuer ("Platform ID"), e.g. the Moodle site URL.
    issuer: str
    # CODERUNNER_LTI_CLIENT_ID: the client id(s) the platform gave the tool (comma separated).
    client_ids: tuple[str, ...]
    # CODERUNNER_LTI_AUTHORIZE_URL: the platform's OIDC authentication request URL.
    authorize_url: str
    # CODERUNNER_LTI_JWKS_URL: the platform's public keyset URL (JWKS), to check id_tokens.
    jwks_url: str
    # CODERUNNER_LTI_DEPLOYMENT_IDS: optional; launches from other deployments are refused.
    deployment_ids: tuple[str, ...]
    # CODERUNNER_LTI_USERNAME_CLAIM: the id_token claim that becomes the username; `sub`
    # (the platform's opaque, stable user id) unless set; `custom_<x>` reads custom claim x.
    username_claim: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LTISettings:
        def get(name: str, default: str = "") -> str:
            return environ.get(f"CODERUNNER_LTI_{name}", default).strip()

        return cls(
            issuer=get("ISSUER"),
            client_ids=_split(get("CLIENT_ID")),
            authorize_url=get("AUTHORIZE_URL"),
            jwks_url=get("JWKS_URL"),
            deployment_ids=_split(get("DEPLOYMENT_IDS")),
            username_claim=get("USERNAME_CLAIM") or "sub",
        )

    def problems(self) -> list[str]:
        """Every problem with these settings (empty when they are usable)."""
        found = [
            url_problem("CODERUNNER_LTI_ISSUER", self.issuer, issuer=True),
            None if self.client_ids else "CODERUNNER_LTI_CLIENT_ID is not set",
            url_problem("CODERUNNER_LTI_AUTHORIZE_URL", self.authorize_url),
            url_problem("CODERUNNER_LTI_JWKS_URL", self.jwks_url),
        ]
        claim = self.username_claim
        if not CLAIM_NAME.match(claim):
            found.append(f"CODERUNNER_LTI_USERNAME_CLAIM {claim!r} is not a claim name")
        elif claim.removeprefix("custom_") in NOT_UNIQUE_CLAIMS:
            found.append(
                f"CODERUNNER_LTI_USERNAME_CLAIM {claim!r} is a person's name, not unique: "
                "use sub (the default) or another unique id"
            )
        return [p for p in found if p]


class LoginInitHandler(LTI13LoginInitHandler):
    """Step 1, login initiation (GET or POST from the platform)."""

    def post(self) -> None:
        # Someone who opens the hub's address directly has no launch to continue: say
        # where to start instead of the library's "Required LTI 1.3 arg iss".
        if not self.get_argument("iss", ""):
            raise HTTPError(400, START_FROM_PLATFORM)
        super().post()

    get = post

    def _set_oauth_cookie(self, key: str, value: str) -> None:
        """The state and nonce cookies must come back with the platform's cross-site form
        POST (step 3). Browsers send a cookie on a cross-site POST only with
        ``SameSite=None``, which needs ``Secure``; the library sets neither, and Chrome
        treats such cookies as Lax (sent on a cross-site POST only within a two-minute
        grace period it keeps for old sites). So over HTTPS these two short-lived cookies
        say ``SameSite=None; Secure`` (the hub's session cookie keeps the hub's defaults)."""
        extra: dict[str, Any] = {}
        if self.authenticator.get_uri_scheme(self.request) == "https":
            extra = {"samesite": "None", "secure": True}
        self._set_cookie(key, value, expires_days=1, httponly=True, encrypted=True, **extra)


class LaunchHandler(LTI13CallbackHandler):
    """Step 3, the launch: the platform's form POST of ``id_token`` and ``state``."""

    async def post(self) -> None:
        # As the library's post, except that the validation runs in a thread: it fetches
        # the platform's JWKS with a blocking HTTP request (PyJWKClient, 30 s timeout, on
        # every launch), which would otherwise stop the whole hub while it waits. The
        # state check in it only reads and clears this request's cookies; the event loop
        # leaves this handler alone meanwhile.
        try:
            id_token = await asyncio.to_thread(self.decode_and_validate_launch_request)
        except InvalidAudienceError as e:
            raise HTTPError(401, str(e)) from e
        except ValidationError as e:
            raise HTTPError(400, str(e)) from e
        try:
            user = await self.login_user(id_token)
        except LoginError as e:
            raise HTTPError(400, str(e)) from e
        if user is None:
            raise HTTPError(403, "User missing or null")
        await self.redirect_to_next_url(user)


class CodeRunnerLTI13Authenticator(LTI13Authenticator):
    """ltiauthenticator's LTI 1.3 authenticator with Code Runner's handlers and an
    optional list of known deployments."""

    login_service = "your school's learning platform"
    login_handler = LoginInitHandler
    callback_handler = LaunchHandler

    deployment_ids = Set(
        Unicode(),
        config=True,
        help="""Deployment ids (the platform's ``deployment_id`` claim) whose launches are
        accepted; empty (the default) accepts any deployment of the configured client ids.
        Environment variable: CODERUNNER_LTI_DEPLOYMENT_IDS (comma separated). Set it when
        one client id is deployed in several places and only some should reach this hub.""",
    )

    async def authenticate(
        self, handler: Any, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        deployment = (data or {}).get(DEPLOYMENT_ID_CLAIM)
        if self.deployment_ids and deployment not in self.deployment_ids:
            self.log.warning("LTI launch from unknown deployment %r refused", deployment)
            raise HTTPError(
                403,
                "This course's link to Code Runner comes from a deployment this hub does "
                "not know: ask your Code Runner admin to add its deployment id.",
            )
        result: dict[str, Any] = await super().authenticate(handler, data)
        return result


def configure_lti(c: Any, environ: Mapping[str, str] | None = None) -> None:
    """Sign in through the school's learning platform (``CODERUNNER_AUTH=lti13``).

    Stops the hub with one message listing every problem when the settings are missing
    or wrong."""
    s = LTISettings.from_env(os.environ if environ is None else environ)
    problems = s.problems()
    if problems:
        raise SystemExit(
            "LTI 1.3 sign-in (CODERUNNER_AUTH=lti13) is not configured; the hub will not "
            "start:\n- " + "\n- ".join(problems) + "\nSee hub_config/LTI.md."
        )
    c.JupyterHub.authenticator_class = CodeRunnerLTI13Authenticator
    c.LTI13Authenticator.issuer = s.issuer
    c.LTI13Authenticator.client_id = set(s.client_ids)
    c.LTI13Authenticator.authorize_url = s.authorize_url
    c.LTI13Authenticator.jwks_endpoint = s.jwks_url
    c.LTI13Authenticator.username_key = s.username_claim
    c.LTI13Authenticator.tool_name = "Code Runner"
    c.LTI13Authenticator.tool_description = "Solve Python problems in JupyterLab"
    c.CodeRunnerLTI13Authenticator.deployment_ids = set(s.deployment_ids)
    c.LTI13LaunchValidator.time_leeway = CLOCK_LEEWAY_SECONDS
    # The platform decides who may launch Code Runner (whoever its course lets open the
    # link); the hub has no list of names, and JupyterHub 5+ refuses everyone unless
    # allow_all is set. Authenticator.blocked_users can still shut one account out.
    c.Authenticator.allow_all = True
