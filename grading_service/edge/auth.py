"""Who is calling: a JupyterHub user, identified by the hub from their token.

The token is sent as ``Authorization: token <t>``. The hub answers who owns it and with
which scopes (cached for ``cache_max_age`` seconds by JupyterHub's own HubAuth); the
token must carry ``access:services!service=<this service>``.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

from jupyterhub.services.auth import HubAuth, check_scopes
from jupyterhub.utils import url_path_join
from tornado.web import HTTPError
from traitlets import Float
from traitlets.config import LoggingConfigurable

from .access import Access
from .cohorts import Cohort, cohort_from_group
from .tokens import TokenConfig, TokenError, looks_like_jwt

TOKEN_HEADER = re.compile(r"^(?:token|bearer)\s+(\S+)$", re.IGNORECASE)


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def token_from_header(value: str | None) -> str | None:
    match = TOKEN_HEADER.match((value or "").strip())
    return match.group(1) if match else None


class HubIdentity(LoggingConfigurable):
    """A JupyterHub user from their hub token, with their groups (HubAuth does the asking;
    its answers about tokens are cached for ``HubAuth.cache_max_age`` seconds)."""

    groups_cache_seconds = Float(
        60.0,
        help="""How long a user's JupyterHub groups are remembered, in seconds, when the hub's
        answer about their token does not list them. Group changes (and so group limits and
        teacher access) take effect after at most this long.""",
    ).tag(config=True)

    def __init__(self, hub_auth: HubAuth, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub_auth = hub_auth
        self._groups: dict[str, tuple[float, list[str]]] = {}
        self._cohorts: dict[str, tuple[float, Cohort]] = {}

    async def cohort(self, name: str) -> Cohort:
        """A JupyterHub group as a cohort: its members and Code Runner settings (cached
        like groups). Malformed settings are logged and ignored."""
        cached = self._cohorts.get(name)
        now = time.monotonic()
        if cached and now - cached[0] < self.groups_cache_seconds:
            return cached[1]
        model = await self.hub_get(f"groups/{quote(name, safe='')}", "a cohort")
        if model is None:
            raise AuthError(404, f"No cohort {name!r}.")
        cohort, problems = cohort_from_group(model)
        for problem in problems:
            self.log.warning("ignoring cohort %s setting %s", name, problem)
        self._cohorts[name] = (now, cohort)
        return cohort

    async def hub_get(self, path: str, what: str) -> Any | None:
        """GET the hub's REST API with the service's own token: the JSON answer, or None
        when the hub says the thing does not exist; AuthError(503) when it cannot answer.

        HubAuth turns every answer but 2xx into an HTTPError; it reports the hub's 4xx
        answers as "Failed to check authorization", and its own trouble (no connection,
        the hub's 5xx, a 403 to this service) otherwise.
        """
        try:
            return await self.hub_auth._api_request(
                "GET", url_path_join(self.hub_auth.api_url, path)
            )
        except HTTPError as exc:
            if exc.status_code == 500 and (exc.log_message or "").startswith(
                "Failed to check authorization"
            ):
                return None
            raise AuthError(
                503, f"Cannot reach JupyterHub to look up {what}; try again shortly."
            ) from exc

    async def group_names(self) -> list[str]:
        """Every group on the hub (for callers who teach everyone), page by page."""
        names: list[str] = []
        while True:
            page = await self.hub_get(f"groups?offset={len(names)}&limit=200", "the cohorts")
            if not page:
                return names
            names += [g["name"] for g in page]
            if len(page) < 200:
                return names

    async def cohorts_taught(self, access: Access) -> list[Cohort]:
        """The cohorts ``access`` teaches: every hub group for admins and those who teach
        everyone, else the groups their scopes name (ones since removed are skipped).
        Raises AuthError(503) when the hub cannot answer."""
        if access.admin or access.teaches_everyone:
            names = await self.group_names()
        else:
            names = sorted(access.cohorts)
        found = []
        for name in names:
            try:
                found.append(await self.cohort(name))
            except AuthError as exc:
                if exc.status != 404:
                    raise
        return found

    async def cohorts(self, names: list[str]) -> list[Cohort]:
        """The cohorts of these groups; when the hub cannot be asked, none (the defaults
        apply, and the error is logged)."""
        try:
            return [await self.cohort(name) for name in names]
        except AuthError:  # 404: a group removed since the token was checked
            self.log.warning("cohort settings unavailable for %s; using defaults", names)
            return []

    async def groups_of(self, name: str) -> list[str]:
        """The user's JupyterHub groups, asked with the service's own token (cached).

        Learner server tokens cannot read groups, so the service asks the hub itself;
        its role grants ``read:users:groups``.
        """
        cached = self._groups.get(name)
        now = time.monotonic()
        if cached and now - cached[0] < self.groups_cache_seconds:
            return cached[1]
        model = await self.hub_get(f"users/{quote(name, safe='')}", "your groups")
        if model is None:  # removed from the hub since the hub vouched for their token
            raise AuthError(401, "Invalid token: its user no longer exists on JupyterHub.")
        groups = list(model.get("groups") or [])
        self._groups[name] = (now, groups)
        return groups

    async def user_for(self, authorization: str | None) -> dict:
        """The hub's user model for this request; raises AuthError(401/503)."""
        token = token_from_header(authorization)
        if not token:
            raise AuthError(401, "Missing token: send 'Authorization: token <your hub token>'.")
        try:
            model = await self.hub_auth.user_for_token(token, sync=False)
        except HTTPError as exc:
            raise AuthError(
                503, "Cannot reach JupyterHub to check the token; try again shortly."
            ) from exc
        if not model or model.get("kind", "user") != "user":
            raise AuthError(401, "Invalid or expired token.")
        required = self.hub_auth.access_scopes
        if required and not check_scopes(required, set(model.get("scopes", []))):
            raise AuthError(
                401,
                "This token may not use the grading service: it lacks "
                f"{' or '.join(sorted(required))}.",
            )
        if "groups" not in model:
            model = {**model, "groups": await self.groups_of(model["name"])}
        return model


async def may_read(access: Access, hub: HubIdentity, learner: str) -> bool:
    """Whether ``access`` may read ``learner``'s data: their own, every learner's, or a
    learner in one of the cohorts they teach (asked of the hub, so an unknown name and
    one outside those cohorts look alike). Raises AuthError(503) when the hub cannot
    answer."""
    if access.may_read(learner):
        return True
    for cohort in sorted(access.cohorts):
        try:
            if learner in (await hub.cohort(cohort)).members:
                return True
        except AuthError as exc:
            if exc.status != 404:
                raise
    return False


class Identities:
    """Routes a request to the right authority: JWTs (service accounts, batch graders)
    are verified locally; everything else is a JupyterHub token checked by the hub."""

    def __init__(self, hub: HubIdentity, tokens: TokenConfig, key: bytes) -> None:
        self.hub = hub
        self.tokens = tokens
        self.key = key

    async def user_for(self, authorization: str | None) -> dict:
        token = token_from_header(authorization)
        if token and looks_like_jwt(token):
            try:
                identity = self.tokens.verify(token, self.key)
            except TokenError as exc:
                raise AuthError(401, f"Invalid token: {exc}") from None
            return {
                "name": identity.name,
                "kind": identity.kind,
                "role": identity.role,
                "groups": list(identity.groups),
                "scopes": [],
            }
        return await self.hub.user_for(authorization)

    async def cohorts_of(self, model: dict) -> list[Cohort]:
        """The caller's cohorts (their hub groups); service accounts have none."""
        if model.get("kind") == "service":
            return []
        return await self.hub.cohorts(list(model.get("groups") or ()))
