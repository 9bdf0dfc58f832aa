"""JupyterHub's own ``HubAuth``, with the hub's REST API answered from memory instead of
over HTTP. Only ``_api_request`` (the one place HubAuth talks to the hub) is replaced,
so HubAuth's token cache and everything built on it run as they do in production.

``<name>-token`` is the token of user ``<name>``; ``teacher`` is in the ``teachers``
group and everyone else in ``class-a``; ``stolen-token`` belongs to nobody. A user's
token carries ``scopes`` plus ``user_scopes[name]``; ``members`` and ``properties``
describe groups (``GET /groups/<name>``), as the hub's admin would set them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from jupyterhub.services.auth import HubAuth
from tornado.web import HTTPError

GRADER_SCOPE = "access:services!service=grader"


class FakeHubAuth(HubAuth):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("api_url", "http://127.0.0.1:1/hub/api")
        kwargs.setdefault("api_token", "service-token")
        kwargs.setdefault("access_scopes", {GRADER_SCOPE})
        super().__init__(**kwargs)
        self.scopes: list[str] = [GRADER_SCOPE]
        self.groups: dict[str, list[str]] = {"teacher": ["teachers"]}
        self.groups_in_token_model = False  # as for a learner server's token
        self.reachable = True
        self.requests: list[tuple[str, str]] = []  # (method, path) the hub was asked
        self.user_scopes: dict[str, list[str]] = {}
        self.members: dict[str, list[str]] = {}
        self.properties: dict[str, dict[str, Any]] = {}

    def groups_of(self, name: str) -> list[str]:
        return self.groups.get(name, ["class-a"])

    async def _api_request(self, method: str, url: str, /, **kwargs: Any) -> Any:
        path = urlparse(url).path.removeprefix(urlparse(self.api_url).path)
        self.requests.append((method, path))
        if not self.reachable:  # what HubAuth raises when it cannot connect
            raise HTTPError(500, f"Failed to connect to Hub API at {self.api_url!r}.")
        if path == "/user":  # who owns the token in the Authorization header
            token = kwargs["headers"]["Authorization"].removeprefix("token ")
            if not token.endswith("-token") or token == "stolen-token":
                return None
            name = token.removesuffix("-token")
            scopes = list(self.scopes) + self.user_scopes.get(name, [])
            model = {"kind": "user", "name": name, "scopes": scopes}
            if self.groups_in_token_model:
                model["groups"] = self.groups_of(name)
            return model
        if path.startswith("/users/"):  # asked with the service's own token
            name = unquote(path.removeprefix("/users/"))
            return {"kind": "user", "name": name, "groups": self.groups_of(name)}
        if path == "/groups":
            query = parse_qs(urlparse(url).query)
            offset, limit = int(query["offset"][0]), int(query["limit"][0])
            names = sorted(self.members)[offset : offset + limit]
            return [self._group(name) for name in names]
        if path.startswith("/groups/"):
            name = unquote(path.removeprefix("/groups/"))
            if name not in self.members:  # what HubAuth raises for the hub's 404
                raise HTTPError(500, "Failed to check authorization: Unknown error")
            return self._group(name)
        raise AssertionError(f"the fake hub does not answer {method} {path}")

    def _group(self, name: str) -> dict[str, Any]:
        return {
            "kind": "group",
            "name": name,
            "users": list(self.members[name]),
            "properties": self.properties.get(name, {}),
        }
