"""The grading API described as OpenAPI 3.1, served at ``GET /api/openapi.json``.

The description is data built here, next to the handlers it describes, from the same
single definitions (statuses, verdicts and test outcomes come from ``records.py``).
``tests/grading_service/edge/test_openapi.py`` compares it with the routes the
application registers, method by method, and fails when one has a route the other lacks;
``test_schemathesis.py`` sends generated requests to the real service and checks every
answer against it (no 5xx, documented status codes, content types and shapes).

Every error is ``{"message", "status", "request_id"}`` (``Error``); 429 always carries
``Retry-After``, and so do the 503s of a busy queue or an unreachable database.
The teacher dashboard's pages and their cookie-authenticated data (``/dashboard/…``) are
for browsers, not API clients, and are not described here.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, get_args

from .. import __version__
from ..assessments import State as AssessmentState
from ..records import SUBMISSION_STATUSES, TEST_STATUSES, VERDICTS, VISIBILITIES
from .handlers import BaseHandler

JSON = "application/json"
SPEC_PATH = "/api/openapi.json"
DESCRIPTION = """Problems, submissions and their verdicts, progress, hints, cheatsheets,
assessments, leaderboards and cohorts of Code Runner.

Learners and teachers send `Authorization: token <their JupyterHub token>`; service
accounts and batch graders `Authorization: Bearer <JWT>`. Errors are JSON
`{"message", "status", "request_id"}`; 429, and 503 for a busy queue or database, say in
`Retry-After` when to come back. Someone else's id answers 404, as an unknown one does."""

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    """An object with these properties (more may come: clients ignore what they do not
    know, and the service may add fields)."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
# Times are sent as text: ISO 8601, or Python's ``str`` of a UTC datetime (a space
# instead of the ``T``), depending on the field.
TIME: Schema = {"type": "string", "description": "A date and time (ISO 8601, UTC)."}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ("message", "status"),
        message={"type": "string", "description": "What went wrong, for a person to read."},
        status=INTEGER,
        request_id={
            **nullable(STRING),
            "description": "This request's id (also in X-Request-Id), as logged.",
        },
        reason={"type": "string", "description": "A machine-readable reason, e.g. locked."},
        unlock={"type": "object", "description": "For a locked level: what opens it."},
        retry_after={"type": "integer", "description": "Seconds to wait (per-user limits)."},
    ),
    "ProblemSummary": obj(
        ("id", "title", "track", "level", "points", "kind"),
        id=STRING,
        title=STRING,
        track=STRING,
        level=INTEGER,
        order=INTEGER,
        points=NUMBER,
        kind={"type": "string", "enum": ["function", "program"]},
    ),
    "Problem": {
        "allOf": [
            ref("ProblemSummary"),
            obj(
                ("statement", "starter", "hint_count"),
                statement={"type": "string", "description": "Markdown."},
                starter=STRING,
                hint_count=INTEGER,
                tags=array(STRING),
                time_limit_seconds=NUMBER,
                memory_limit_mb=INTEGER,
                data_files=array(STRING),
                drawing=nullable({"type": "string", "enum": ["turtle", "pygame"]}),
                cheatsheets=array(obj(("id", "title"), id=STRING, title=STRING)),
            ),
        ]
    },
    "Level": obj(
        ("track", "level", "title", "problems"),
        track=STRING,
        level=INTEGER,
        title=STRING,
        unlock_threshold=NUMBER,
        problems=array(STRING),
        rule={"type": "string", "description": "The unlock rule in words; empty for level 1."},
    ),
    "Track": obj(
        ("id", "title", "levels"),
        id=STRING,
        title=STRING,
        ages=STRING,
        description=STRING,
        guide=nullable({"type": "object"}),
        start_here=STRING,
        levels=array(ref("Level")),
    ),
    "Hints": obj(("revealed", "total"), revealed=array(STRING), total=INTEGER),
    "PublicChecks": obj(
        ("problem_id", "kind", "data"),
        problem_id=STRING,
        kind={"type": "string", "enum": ["function", "program"]},
        source={"type": "string", "description": "The public test module (function problems)."},
        cases=array({"type": "object", "description": "stdin/stdout cases (programs)."}),
        time_limit_seconds=NUMBER,
        data={
            "type": "object",
            "additionalProperties": {"type": "string", "contentEncoding": "base64"},
            "description": "The problem's data files by name, base64.",
        },
    ),
    "CheatsheetSummary": obj(
        ("id", "title", "track", "topic"), id=STRING, title=STRING, track=STRING, topic=STRING
    ),
    "Cheatsheet": {
        "allOf": [ref("CheatsheetSummary"), obj(("markdown",), markdown=STRING)],
    },
    "TestResult": obj(
        ("name", "status", "visibility"),
        name=STRING,
        status={"type": "string", "enum": list(TEST_STATUSES)},
        visibility={"type": "string", "enum": list(VISIBILITIES)},
        message={"type": "string", "description": "Empty for hidden tests."},
        stdout=STRING,
        stdout_dropped=BOOLEAN,
    ),
    "Submission": obj(
        ("id", "problem_id", "status"),
        id=STRING,
        problem_id=STRING,
        status={"type": "string", "enum": list(SUBMISSION_STATUSES)},
        verdict=nullable({"type": "string", "enum": list(VERDICTS)}),
        message=nullable(STRING),
        score=nullable(NUMBER),
        max_score=nullable(NUMBER),
        passed=nullable(INTEGER),
        total=nullable(INTEGER),
        tests=array(ref("TestResult")),
        created_at=nullable(TIME),
        finished_at=nullable(TIME),
        assessment_id=nullable(STRING),
        position={
            **nullable(INTEGER),
            "description": "Place in the queue while queued, else null.",
        },
        code={"type": "string", "description": "In lists of one's own submissions, and for staff."},
        user={"type": "string", "description": "For teachers and admins."},
        hidden_detail=array(obj(("name", "message"), name=STRING, message=STRING)),
    ),
    "SubmissionPage": obj(
        ("submissions", "next"),
        submissions=array(ref("Submission")),
        next={
            **nullable(STRING),
            "description": "The `before` of the next page; null on the last page.",
        },
    ),
    "Notebook": obj(
        ("nbformat", "cells"),
        nbformat={"type": "integer", "const": 4},
        nbformat_minor=INTEGER,
        metadata={"type": "object"},
        cells=array({"type": "object"}),
    ),
    "NewSubmission": {
        **obj(
            ("problem_id",),
            problem_id={"type": "string", "minLength": 1},
            code={"type": "string", "description": "The learner's module (UTF-8 text)."},
            notebook={
                **ref("Notebook"),
                "description": "An nbformat v4 notebook: its code cells are graded, in "
                "order, except cells tagged skip-grading. Wins over `code`.",
            },
            assessment_id={
                **nullable({"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"}),
                "description": "Submit for this assessment (uses an attempt); null: practice.",
            },
        ),
        "anyOf": [{"required": ["code"]}, {"required": ["notebook"]}],
    },
    "Accepted": obj(
        ("id", "status"),
        id=STRING,
        status={"type": "string", "enum": list(SUBMISSION_STATUSES)},
        duplicate={
            "type": "boolean",
            "description": "The same code is already waiting: this is its id.",
        },
        assessment_id=STRING,
    ),
    "Progress": obj(
        ("user", "problems", "levels", "solved", "points", "tracks", "streak"),
        user=STRING,
        problems=array(
            obj(
                ("problem_id", "attempts", "solved", "state"),
                problem_id=STRING,
                attempts=INTEGER,
                best_score=NUMBER,
                max_score=NUMBER,
                solved=BOOLEAN,
                first_solved_at=nullable(TIME),
                state={"type": "string", "enum": ["open", "attempted", "solved"]},
            )
        ),
        levels=array(
            obj(
                ("track", "level", "unlocked"),
                track=STRING,
                level=INTEGER,
                unlocked=BOOLEAN,
                rule=STRING,
                needed=INTEGER,
                solved_before=INTEGER,
            )
        ),
        solved=INTEGER,
        total_score=NUMBER,
        points=NUMBER,
        tracks=array(
            obj(
                ("track", "solved", "total"),
                track=STRING,
                solved=INTEGER,
                total=INTEGER,
                points=NUMBER,
            )
        ),
        streak=obj(
            ("current", "best"),
            current=INTEGER,
            best=INTEGER,
            today=BOOLEAN,
            time_zone=STRING,
        ),
        next=nullable(
            obj(
                ("problem_id",),
                problem_id=STRING,
                title=STRING,
                track=STRING,
                level=INTEGER,
            )
        ),
    ),
    "CohortPublic": obj(
        ("name", "display_name"), name=STRING, display_name=STRING, track=nullable(STRING)
    ),
    "Me": obj(
        ("name", "cohorts", "limits", "admin", "grader", "teaches"),
        name=STRING,
        cohorts=array(ref("CohortPublic")),
        limits=obj(
            ("rate_per_minute", "daily_quota"),
            rate_per_minute=INTEGER,
            daily_quota=INTEGER,
        ),
        admin=BOOLEAN,
        grader=BOOLEAN,
        teaches={
            "anyOf": [{"type": "string", "const": "all"}, array(STRING)],
            "description": "The cohorts the caller teaches, or all.",
        },
    ),
    "LearnerSubmissions": obj(
        ("user", "submissions"), user=STRING, submissions=array(ref("Submission"))
    ),
    "Cohorts": obj(
        ("cohorts",),
        cohorts=array(
            {"allOf": [ref("CohortPublic"), obj(("learners",), learners=INTEGER)]},
        ),
    ),
    "Cohort": {
        "allOf": [
            ref("CohortPublic"),
            obj(
                ("learners",),
                learners=array(
                    obj(
                        ("user", "solved", "attempts", "total_score", "problems"),
                        user=STRING,
                        solved=INTEGER,
                        attempts=INTEGER,
                        total_score=NUMBER,
                        problems={"type": "object", "additionalProperties": {"type": "object"}},
                    )
                ),
            ),
        ]
    },
    "PrivacyNotice": obj(
        ("text", "version", "accepted_at"),
        text={"type": "string", "description": "Markdown."},
        version=STRING,
        accepted_at=nullable(TIME),
    ),
    "PrivacyAcceptance": obj(("version", "accepted_at"), version=STRING, accepted_at=TIME),
    "Assessments": obj(
        ("assessments",),
        assessments=array(
            obj(
                ("id", "title", "cohort", "problems", "opens_at", "closes_at", "state"),
                id=STRING,
                title=STRING,
                cohort=STRING,
                problems=array(STRING),
                opens_at=TIME,
                closes_at=TIME,
                max_attempts=INTEGER,
                state={"type": "string", "enum": list(get_args(AssessmentState))},
                seconds_to_open=nullable(INTEGER),
                seconds_left=nullable(INTEGER),
                attempts={"type": "object", "additionalProperties": INTEGER},
            )
        ),
    ),
    "Leaderboards": obj(
        ("boards",),
        boards=array(
            obj(
                ("cohort", "display_name", "rows", "me"),
                cohort=STRING,
                display_name=STRING,
                rows=array(
                    obj(
                        ("rank", "name", "points", "streak"),
                        rank=INTEGER,
                        name=STRING,
                        points=NUMBER,
                        streak=INTEGER,
                        me=BOOLEAN,
                    )
                ),
                me=nullable({"type": "object"}),
            )
        ),
    ),
    "Health": obj(("status",), status={"type": "string", "const": "ok"}),
    "Readiness": obj(
        ("status", "checks"),
        status={"type": "string", "enum": ["ok", "unavailable"]},
        checks={"type": "object", "additionalProperties": STRING},
        pool=obj((), ready=INTEGER, size=INTEGER),
    ),
}

RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}


def error_response(description: str, *, retry_after: bool | None = None) -> dict[str, Any]:
    """An error answer; ``retry_after`` True: the header is always sent, None: sometimes."""
    response: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": ref("Error")}},
    }
    if retry_after is not None:
        response["headers"] = {"Retry-After": {**RETRY_AFTER, "required": retry_after}}
    return response


RESPONSES: dict[str, dict[str, Any]] = {
    "400": error_response(
        "Bad input: a body that is not a JSON object, a missing or mistyped field, an "
        "invalid notebook, a parameter that is not a number, text that is not UTF-8."
    ),
    "401": error_response("No token, or one that is invalid, expired or lacks the scope."),
    "403": error_response(
        "The problem's level is locked for the caller: `reason` is locked and `unlock` "
        "says what opens it."
    ),
    "404": error_response("Unknown, or not the caller's to read (the two look alike)."),
    "409": error_response("In conflict with the current state (say, a changed notice)."),
    "413": error_response("The body or the code is over the service's size limit."),
    "429": error_response(
        "Too many requests or submissions (per-user rate, daily quota, open long polls).",
        retry_after=True,
    ),
    "503": error_response(
        "Busy (queue too deep), or JupyterHub, the database or the queue cannot be reached "
        "right now; try again later.",
        retry_after=False,
    ),
}

# What any request with a hub token or JWT may meet: a refused token, the per-user
# limits, JupyterHub or the database being unreachable.
AUTHENTICATED_ERRORS = ("401", "429", "503")


def path_param(name: str, description: str, schema: Schema | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string", "minLength": 1},
    }


def query_param(name: str, description: str, schema: Schema) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


PROBLEM_ID = path_param("problem_id", "A problem's id, e.g. add-two.")


def operation(
    summary: str,
    tag: str,
    ok: tuple[str, str, Schema] | tuple[str, str, Schema, dict[str, Any]],
    errors: tuple[str, ...] = (),
    *,
    parameters: tuple[dict[str, Any], ...] = (),
    body: Schema | None = None,
    public: bool = False,
    content_type: str = JSON,
    more: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation: its success answer ``(status, description, schema[, headers])``,
    the errors it may answer (the authenticated ones are added unless ``public``) and
    ``more`` answers of its own."""
    status, description, schema, *headers = ok
    success: dict[str, Any] = {"description": description}
    if content_type == "image":
        success["content"] = {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ("image/png", "image/jpeg", "image/gif", "image/webp")
        }
    else:
        success["content"] = {content_type: {"schema": schema}}
    if headers:
        success["headers"] = headers[0]
    codes = sorted(set(errors) | (set() if public else set(AUTHENTICATED_ERRORS)))
    op: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "responses": {
            status: success,
            **{code: {"$ref": f"#/components/responses/{code}"} for code in codes},
            **(more or {}),
        },
    }
    if parameters:
        op["parameters"] = list(parameters)
    if body is not None:
        op["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    if public:
        op["security"] = []
    return op


def paths() -> dict[str, dict[str, Any]]:
    limit = query_param(
        "limit",
        "How many (clamped to the endpoint's range).",
        {"type": "integer"},
    )
    return {
        "/api/problems": {
            "get": operation(
                "Every problem, public fields only",
                "problems",
                ("200", "The problems", obj(("problems",), problems=array(ref("ProblemSummary")))),
            )
        },
        "/api/tracks": {
            "get": operation(
                "Tracks, their levels and their problem ids",
                "problems",
                ("200", "The tracks", obj(("tracks",), tracks=array(ref("Track")))),
            )
        },
        "/api/problems/{problem_id}": {
            "get": operation(
                "A problem's public parts: statement, starter, limits, hint count",
                "problems",
                ("200", "The problem", ref("Problem")),
                ("400", "403", "404"),
                parameters=(PROBLEM_ID,),
            )
        },
        "/api/problems/{problem_id}/assets/{name}": {
            "get": operation(
                "An image the problem's statement shows",
                "problems",
                ("200", "The image", {}),
                ("400", "404"),
                parameters=(PROBLEM_ID, path_param("name", "The image's file name.")),
                content_type="image",
            )
        },
        "/api/problems/{problem_id}/hints": {
            "get": operation(
                "The hints the caller has revealed so far",
                "practice",
                ("200", "The revealed hints", ref("Hints")),
                ("400", "403", "404"),
                parameters=(PROBLEM_ID,),
            ),
            "post": operation(
                "Reveal the next hint (recorded for teachers)",
                "practice",
                ("200", "The revealed hints, one more", ref("Hints")),
                ("400", "403", "404"),
                parameters=(PROBLEM_ID,),
            ),
        },
        "/api/problems/{problem_id}/checks": {
            "get": operation(
                "The public tests and data files, for a practice check",
                "practice",
                ("200", "The public checks", ref("PublicChecks")),
                ("400", "403", "404"),
                parameters=(PROBLEM_ID,),
            )
        },
        "/api/cheatsheets": {
            "get": operation(
                "The cheatsheets",
                "practice",
                (
                    "200",
                    "The cheatsheets",
                    obj(("cheatsheets",), cheatsheets=array(ref("CheatsheetSummary"))),
                ),
            )
        },
        "/api/cheatsheets/{sheet_id}": {
            "get": operation(
                "One cheatsheet, as Markdown",
                "practice",
                ("200", "The cheatsheet", ref("Cheatsheet")),
                ("400", "404"),
                parameters=(path_param("sheet_id", "<track>--<topic>"),),
            )
        },
        "/api/submissions": {
            "get": operation(
                "The caller's own submissions, newest first, with their code",
                "submissions",
                ("200", "One page of submissions", ref("SubmissionPage")),
                ("400",),
                parameters=(
                    query_param("problem_id", "Only this problem's.", STRING),
                    {**limit, "description": "Page size, 1 to 100 (default 20)."},
                    query_param("before", "The `next` of the page before (ISO 8601).", STRING),
                ),
            ),
            "post": operation(
                "Submit code or a notebook for grading",
                "submissions",
                (
                    "202",
                    "Queued (or the same code already waiting, `duplicate`)",
                    ref("Accepted"),
                    {"Location": {"description": "The new submission.", "schema": STRING}},
                ),
                ("400", "403", "404", "409", "413"),
                body=ref("NewSubmission"),
            ),
        },
        "/api/submissions/{submission_id}": {
            "get": operation(
                "A submission, with its verdict once graded",
                "submissions",
                ("200", "The submission", ref("Submission")),
                ("400", "404"),
                parameters=(
                    path_param("submission_id", "A submission's id."),
                    query_param(
                        "wait",
                        "Answer as soon as the verdict is stored, or after this many "
                        "seconds (long polling; capped at GradingService.max_wait_seconds).",
                        {"type": "number"},
                    ),
                ),
            )
        },
        "/api/progress": {
            "get": operation(
                "The caller's own progress, streak and next problem",
                "progress",
                ("200", "The progress", ref("Progress")),
            )
        },
        "/api/me": {
            "get": operation(
                "The caller's cohorts, limits, and what they teach",
                "people",
                ("200", "Who the caller is here", ref("Me")),
            )
        },
        "/api/users/{learner}/progress": {
            "get": operation(
                "A learner's progress (their own, their teachers', admins')",
                "people",
                ("200", "The progress", ref("Progress")),
                ("400", "404"),
                parameters=(path_param("learner", "A hub user name."),),
            )
        },
        "/api/users/{learner}/submissions": {
            "get": operation(
                "A learner's submissions with code, newest first",
                "people",
                ("200", "The submissions", ref("LearnerSubmissions")),
                ("400", "404"),
                parameters=(
                    path_param("learner", "A hub user name."),
                    {**limit, "description": "How many, 1 to 200 (default 50)."},
                ),
            )
        },
        "/api/cohorts": {
            "get": operation(
                "The cohorts the caller teaches (every cohort for admins)",
                "people",
                ("200", "The cohorts", ref("Cohorts")),
            )
        },
        "/api/cohorts/{name}": {
            "get": operation(
                "One cohort's learners and where each stands, for its teachers",
                "people",
                ("200", "The cohort", ref("Cohort")),
                ("400", "404"),
                parameters=(path_param("name", "A cohort (JupyterHub group) name."),),
            )
        },
        "/api/privacy": {
            "get": operation(
                "The school's privacy notice, and when the caller accepted it",
                "privacy",
                ("200", "The notice", ref("PrivacyNotice")),
            ),
            "post": operation(
                "Accept this version of the notice",
                "privacy",
                ("200", "Accepted", ref("PrivacyAcceptance")),
                ("400", "409"),
                body=obj(("version",), version={"type": "string"}),
            ),
        },
        "/api/assessments": {
            "get": operation(
                "The assessments of the caller's cohorts, with their own attempts",
                "assessments",
                ("200", "The assessments", ref("Assessments")),
            )
        },
        "/api/leaderboard": {
            "get": operation(
                "The switched-on leaderboards of the caller's cohorts",
                "leaderboards",
                ("200", "The leaderboards", ref("Leaderboards")),
            )
        },
        SPEC_PATH: {
            "get": operation(
                "This description",
                "service",
                ("200", "OpenAPI 3.1", {"type": "object"}),
                public=True,
            )
        },
        "/health": {
            "get": operation("Liveness", "service", ("200", "Alive", ref("Health")), public=True)
        },
        "/health/ready": {
            "get": operation(
                "Readiness: Redis, the database, Docker and the warm pool",
                "service",
                ("200", "Ready", ref("Readiness")),
                public=True,
                more={
                    "503": {
                        "description": "A dependency is down (named in `checks`)",
                        "content": {JSON: {"schema": ref("Readiness")}},
                    }
                },
            )
        },
        "/metrics": {
            "get": operation(
                "Prometheus metrics",
                "service",
                ("200", "The metrics, in Prometheus' text format", STRING),
                public=True,
                content_type="text/plain",
            )
        },
    }


@functools.lru_cache(maxsize=8)
def _spec(base: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Code Runner grading API",
            "version": __version__,
            "description": DESCRIPTION,
        },
        "servers": [{"url": base, "description": "This grading service"}],
        "security": [{"hubToken": []}, {"jwt": []}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "responses": RESPONSES,
            "securitySchemes": {
                "hubToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`token <the user's JupyterHub token>`; the token needs "
                    "the scope access:services!service=grader.",
                },
                "jwt": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A service account's or batch grader's token, minted "
                    "with `coderunner token`.",
                },
            },
        },
    }


def spec(base: str = "/") -> dict[str, Any]:
    """The OpenAPI document, with the service reached at ``base`` (``/`` directly, or
    ``/services/grader`` under JupyterHub)."""
    return copy.deepcopy(_spec(base))


class OpenAPIHandler(BaseHandler):
    """The description itself; reading it needs no token."""

    def get(self) -> None:
        base = self.request.path.removesuffix(SPEC_PATH) or "/"
        self.write_json(_spec(base))


ROUTES: list[tuple[str, type[BaseHandler]]] = [(r"api/openapi\.json", OpenAPIHandler)]
