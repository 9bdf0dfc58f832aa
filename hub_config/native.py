"""NativeAuthenticator on JupyterHub 6, for schools without single sign-on.

NativeAuthenticator 1.3 (the newest release; its main branch is the same here) came out
before JupyterHub 6. Two things in its login handler break on JupyterHub 6:

- ``LoginHandler.post`` times each sign-in with ``self.statsd``, which JupyterHub 6
  removed (jupyterhub/jupyterhub#5407): every ``POST /hub/login`` fails with a 500.
- ``LoginHandler._render`` takes no further arguments, but JupyterHub's login handler
  renders a form error (such as an expired xsrf token) through
  ``_render(..., sync=True)``: the learner gets a bare 500 instead of the form and
  "Login form invalid or expired. Try again."

:class:`CodeRunnerNativeAuthenticator` is NativeAuthenticator with a login handler that
fixes both; every ``NativeAuthenticator`` setting applies to it unchanged. Drop it once
NativeAuthenticator supports JupyterHub 6.

It checks passwords off the event loop: bcrypt takes about 0.2 s of CPU by design, and
NativeAuthenticator computes it on the hub's loop, so a class of 60 signing in at once
held every other hub request (spawns, the proxy, the grading service's token checks)
for about 13 s.

It also closes a cross-site request forgery: approving (``/hub/authorize/<name>``) and
discarding (``/hub/discard/<name>``) a sign-up are plain GET links, so a page elsewhere
could make a signed-in admin's browser approve an account. Browsers say where a request
comes from (``Sec-Fetch-Site``); these two links now only work from the hub's own pages.
"""

from __future__ import annotations

import asyncio
from typing import Any

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as native_handlers
from tornado import web
from tornado.escape import url_escape
from tornado.httputil import url_concat


class _NoTimer:
    """Stands in for the statsd timer NativeAuthenticator still starts and stops."""

    def start(self) -> _NoTimer:
        return self

    def stop(self, send: bool = True) -> None:
        pass


class _NoStatsd:
    def timer(self, name: str) -> _NoTimer:
        return _NoTimer()


class LoginHandler(native_handlers.LoginHandler):
    """NativeAuthenticator's login form, working on JupyterHub 6. (JupyterHub measures
    sign-ins itself: ``jupyterhub_login_duration_seconds`` at ``/hub/metrics``.)"""

    statsd = _NoStatsd()

    def _render(self, login_error: str | None = None, username: str | None = None, **kwargs: Any):
        # NativeAuthenticator's own _render, passing on what JupyterHub adds when it
        # shows an error in the form (sync=True and the error page's fields).
        return self.render_template(
            "native-login.html",
            next=url_escape(self.get_argument("next", default="")),
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url),
                {"next": self.get_argument("next", "")},
            ),
            **kwargs,
        )


class SameOriginOnly:
    """For handlers whose GET changes an account: refuse requests a browser says came
    from another site. (Clients that send no ``Sec-Fetch-Site``, such as scripts with
    the admin's credentials, are not a forgery risk and pass.)"""

    async def prepare(self) -> None:
        site = self.request.headers.get("Sec-Fetch-Site")  # type: ignore[attr-defined]
        if site is not None and site not in ("same-origin", "none"):
            raise web.HTTPError(
                403, "Approving or discarding sign-ups only works from the hub's own pages."
            )
        await super().prepare()  # type: ignore[misc]


class ToggleAuthorizationHandler(SameOriginOnly, native_handlers.ToggleAuthorizationHandler):
    pass


class DiscardHandler(SameOriginOnly, native_handlers.DiscardHandler):
    pass


REPLACED = {
    native_handlers.LoginHandler: LoginHandler,
    native_handlers.ToggleAuthorizationHandler: ToggleAuthorizationHandler,
    native_handlers.DiscardHandler: DiscardHandler,
}


def password_matches(password: str, stored: bytes | None) -> bool:
    """Whether ``password`` hashes to ``stored`` (bcrypt's hash with its salt), compared
    in constant time. Runs in a thread: bcrypt releases the GIL while it hashes."""
    if not stored:
        return False
    try:
        return bcrypt.checkpw(password.encode(), bytes(stored))
    except ValueError:  # not a bcrypt hash
        return False


class CodeRunnerNativeAuthenticator(NativeAuthenticator):
    """NativeAuthenticator with the handlers above in place of its own, and its password
    check in a thread."""

    async def authenticate(self, handler: Any, data: dict) -> str | None:
        """NativeAuthenticator's sign-in check, the same rules in the same order, with
        the bcrypt hash computed in a thread. The attempt is counted as failed before the
        hash and forgiven after a match, so sign-ins sent at once cannot try more than
        ``allowed_failed_logins`` passwords between them."""
        username = self.normalize_username(data["username"])
        user = self.get_user(username)
        if not user:
            return None
        if self.allowed_failed_logins and self.is_blocked(username):
            return None
        self.add_login_attempt(username)
        matches = await asyncio.to_thread(password_matches, data["password"], user.password)
        validations = [user.is_authorized, matches]
        if user.has_2fa:
            validations.append(user.is_valid_token(data.get("2fa")))
        if all(validations):
            self.successful_login(username)
            return username
        return None

    def get_handlers(self, app: Any) -> list[tuple[str, type]]:
        return [
            (path, REPLACED.get(handler, handler)) for path, handler in super().get_handlers(app)
        ]
