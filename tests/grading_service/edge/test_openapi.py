"""The OpenAPI description (edge/openapi.py) is a valid document, is served without a
token, and stays in step with the routes the application registers: a route or method in
the application but not in the description fails, and so does one described but gone."""

from __future__ import annotations

import inspect
import json
import re

import pytest
import schemathesis
from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.routing import PathMatches

from grading_service.app import GradingService
from grading_service.dashboard import handlers as dashboard
from grading_service.edge.openapi import spec
from hub_config.devstack import free_port
from hub_config.settings import ROOT

pytestmark = pytest.mark.usefixtures("service_env")

METHODS = ("get", "post", "put", "patch", "delete")
# Pages and cookie-authenticated data for the teacher dashboard, in a browser: not API.
NOT_API = {handler for _, handler in dashboard.ROUTES}
PREFIXES = ("/", "/services/grader/")
GROUP = re.compile(r"\(\[\^/\]\+\)")  # how every route spells a path parameter


@pytest.fixture
def app() -> GradingService:
    """The service initialised (routes built), not started: no Redis or MongoDB needed."""
    service = GradingService(
        mongodb_uri="mongodb://127.0.0.1:1/",
        redis_url="redis://127.0.0.1:1/0",
        content_dir=str(ROOT / "content"),
    )
    service.initialize([])
    return service


def implemented(handler: type[web.RequestHandler]) -> list[str]:
    return [m for m in METHODS if getattr(handler, m) is not getattr(web.RequestHandler, m)]


def template(pattern: str, handler: type[web.RequestHandler], prefix: str) -> str:
    """``/api/problems/([^/]+)/hints/?$`` → ``/api/problems/{problem_id}/hints``, naming
    each parameter as the handler's methods name their arguments."""
    names = {
        tuple(inspect.signature(getattr(handler, m)).parameters)[1:] for m in implemented(handler)
    }
    assert len(names) == 1, f"{handler.__name__}'s methods name their arguments differently"
    params = iter(names.pop())
    path = pattern.removesuffix("$").removesuffix("/?").replace(r"\.", ".")
    path = GROUP.sub(lambda _: "{" + next(params) + "}", path)
    assert not re.search(r"[\\()\[\]?*+|^$]", path), f"cannot describe the route {pattern!r}"
    assert next(params, None) is None, f"{handler.__name__} takes more than {pattern!r} gives"
    return "/" + path.removeprefix(prefix)


def registered(app: GradingService, prefix: str) -> set[tuple[str, str]]:
    """(path template, method) of every API route the application serves under ``prefix``."""
    found = set()
    for rule in app.web_app.wildcard_router.rules:
        handler = rule.target
        assert isinstance(rule.matcher, PathMatches)
        pattern = rule.matcher.regex.pattern
        if handler in NOT_API or not pattern.startswith(prefix):
            continue
        if prefix == "/" and pattern.startswith(PREFIXES[1]):
            continue
        path = template(pattern, handler, prefix)
        found |= {(path, method) for method in implemented(handler)}
    return found


def described() -> set[tuple[str, str]]:
    return {(path, method) for path, item in spec()["paths"].items() for method in item}


def test_the_description_is_a_valid_openapi_document() -> None:
    schemathesis.openapi.from_dict(spec()).validate()  # against the OpenAPI 3.1 schema


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_route_and_method_is_described_and_nothing_else(app, prefix: str) -> None:
    served = registered(app, prefix)
    assert served, "no routes found: has the application's router changed?"
    assert served - described() == set(), "served but not in edge/openapi.py"
    assert described() - served == set(), "in edge/openapi.py but not served"


def test_path_parameters_are_declared_where_the_path_names_them() -> None:
    for path, item in spec()["paths"].items():
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            declared = {p["name"] for p in op.get("parameters", ()) if p["in"] == "path"}
            assert declared == in_path, (method, path)


def test_every_authenticated_operation_documents_401_429_and_503() -> None:
    for path, item in spec()["paths"].items():
        for method, op in item.items():
            if op.get("security") == []:
                continue
            assert {"401", "429", "503"} <= set(op["responses"]), (method, path)


@pytest.mark.parametrize(("prefix", "base"), [("", "/"), ("/services/grader", "/services/grader")])
async def test_the_description_is_served_without_a_token(app, prefix: str, base: str) -> None:
    port = free_port()
    server = HTTPServer(app.web_app)
    server.listen(port, "127.0.0.1")
    try:
        response = await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{port}{prefix}/api/openapi.json"
        )
    finally:
        server.stop()
    assert response.headers["Content-Type"] == "application/json"
    document = json.loads(response.body)
    assert document["openapi"].startswith("3.1")
    assert document["servers"][0]["url"] == base
    assert set(document["paths"]) == set(spec()["paths"])
