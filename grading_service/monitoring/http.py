"""HTTP latency and errors per route: the Tornado application's ``log_function``.

Tornado calls ``log_function(handler)`` once for every finished request, whichever
handler answered it (API, dashboard, or Tornado's own 404 for a path no route matches),
so one hook sees them all. The route label is the pattern of the route that matched,
as the route tables write it (``/api/submissions/([^/]+)/?``), never the path: ids in
paths would make a series each.
"""

from __future__ import annotations

import weakref

from tornado import web
from tornado.routing import PathMatches

from .. import metrics

UNMATCHED = "unmatched"  # Tornado's 404 for a path that no route matches
METHODS = frozenset(web.RequestHandler.SUPPORTED_METHODS)

_patterns: weakref.WeakKeyDictionary[web.Application, dict[type, str]] = weakref.WeakKeyDictionary()


def route_patterns(app: web.Application) -> dict[type, str]:
    """Each handler class of ``app`` and the pattern of its route. A table mounted under
    several prefixes (``/`` and ``/services/grader/``) gives a class several patterns;
    the shortest, the one under ``/``, names them all."""
    found = _patterns.get(app)
    if found is None:
        found = {}
        for rule in app.wildcard_router.rules:
            if not isinstance(rule.target, type) or not isinstance(rule.matcher, PathMatches):
                continue
            pattern = rule.matcher.regex.pattern.removesuffix("$")
            if rule.target not in found or len(pattern) < len(found[rule.target]):
                found[rule.target] = pattern
        _patterns[app] = found
    return found


def route_of(handler: web.RequestHandler) -> str:
    """The route label of the request ``handler`` answered."""
    return route_patterns(handler.application).get(type(handler), UNMATCHED)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def observe_request(handler: web.RequestHandler) -> None:
    """Record one finished request (Tornado's ``log_function`` setting). The access log
    itself is written by ``BaseHandler.on_finish``."""
    method = handler.request.method or "other"
    metrics.HTTP_REQUEST_SECONDS.labels(
        route_of(handler),
        method if method in METHODS else "other",
        status_class(handler.get_status()),
    ).observe(handler.request.request_time())
