"""Who is calling: a JupyterHub user, identified by the hub from their token.

The token is sent as ``Authorization: token <t>``. The hub answers who owns it and with
which scopes (cached for ``cache_max_age`` seconds by JupyterHub's own HubAuth); the
token must carry ``access:services!service=<this service>``.
"""

from __future__ import annotations

import re

from jupyterhub.services.auth import HubAuth, check_scopes
from tornado.web import HTTPError

TOKEN_HEADER = re.compile(r"^(?:token|bearer)\s+(\S+)$", re.IGNORECASE)


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def token_from_header(value: str | None) -> str | None:
    match = TOKEN_HEADER.match((value or "").strip())
    return match.group(1) if match else None


class HubIdentity:
    def __init__(self, hub_auth: HubAuth) -> None:
        self.hub_auth = hub_auth

    async def user_for(self, authorization: str | None) -> dict:
        """The hub's user model for this request; raises AuthError(401/503)."""
        token = token_from_header(authorization)
        if not token:
            raise AuthError(401, "Missing token: send 'Authorization: token <your hub token>'.")
        try:
            model = await self.hub_auth.user_for_token(token, sync=False)
        except HTTPError as exc:
            raise AuthError(503, "Cannot reach JupyterHub to check the token; try again "
                                 "shortly.") from exc
        if not model or model.get("kind", "user") != "user":
            raise AuthError(401, "Invalid or expired token.")
        required = self.hub_auth.access_scopes
        if required and not check_scopes(required, set(model.get("scopes", []))):
            raise AuthError(401, "This token may not use the grading service: it lacks "
                                 f"{' or '.join(sorted(required))}.")
        return model
