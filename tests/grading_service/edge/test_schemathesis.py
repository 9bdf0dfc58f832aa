"""schemathesis against the real grading service: requests generated from the OpenAPI
description (edge/openapi.py), valid and invalid, sent as a learner to the service
in-process with the real Redis and MongoDB-protocol server, every answer checked: no 5xx,
a documented status code, content type and headers, a body of the documented shape, and
4xx for every request that breaks the description.

No grading: the service runs without workers or a sandbox pool, so submissions are only
queued. The examples per operation are bounded (``EXAMPLES``) to keep this short.
"""

from __future__ import annotations

import asyncio
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.errors import FailureGroup

from grading_service.edge.access import ADMIN

from ..api import GOOD_ADD, call

EXAMPLES = 12
LEARNER = {"Authorization": "token alice-token"}
ADMIN_USER = {"Authorization": "token head-token"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same requests on every run: a failure is repeatable
    suppress_health_check=list(HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


@pytest.fixture
async def learner_service(make_service) -> Any:
    """The service with no workers (nothing is graded) and no per-user or submission
    limits (so generated requests reach the handlers), a short long poll, and a queued
    submission and a revealed hint of alice's to read back. ``head`` is an admin."""
    app = await make_service(
        WorkerPool__concurrency=0,
        SandboxPool__size=0,
        RequestLimits__per_minute=0,
        Admission__rate_per_minute=0,
        Admission__daily_quota=0,
        max_wait_seconds=0.5,
    )
    app.hub_auth.user_scopes = {"head": [ADMIN]}
    app.hub_auth.members = {"class-a": ["alice"]}
    code, body, _ = await call(
        app, "POST", "/api/submissions", {"problem_id": "add-two", "code": GOOD_ADD}
    )
    assert code == 202, body
    app.submission_id = body["id"]
    assert (await call(app, "POST", "/api/problems/add-two/hints", raw=b""))[0] == 200
    return app


def existing(app: Any) -> dict[str, str]:
    """Path parameters that name things that exist, so that answers with data (not only
    404s) are generated and checked too."""
    return {
        "problem_id": "add-two",
        "submission_id": app.submission_id,
        "learner": "alice",
        "sheet_id": next(iter(app.content.cheatsheets)),
        "name": "class-a",
    }


def fuzz(schema: schemathesis.BaseSchema, app: Any, sent: list[str]) -> list[str]:
    """Every operation with generated valid and (where there is a query or a body to
    break) invalid requests as a learner, then with valid requests about existing things
    as the learner and as an admin; the failures, described. Each request's operation
    is appended to ``sent``."""
    failures: list[str] = []
    known = existing(app)

    def run(strategy: Any, headers: dict[str, str], label: str) -> None:
        @SETTINGS
        @given(case=strategy)
        def test(case: schemathesis.Case) -> None:
            sent.append(case.operation.label)
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=10)

        try:
            test()
        except (FailureGroup, Exception) as exc:  # noqa: BLE001 - all reported at the end
            failures.append(f"{label}: {exc}")

    for result in schema.get_all_operations():
        operation = result.ok()
        run(operation.as_strategy(), LEARNER, f"{operation.label} (valid)")
        if list(operation.body) or list(operation.query):
            negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            run(negative, LEARNER, f"{operation.label} (invalid)")
        fixed = {p.name: known[p.name] for p in operation.path_parameters}
        strategy = operation.as_strategy(path_parameters=fixed)
        if fixed:
            run(strategy, LEARNER, f"{operation.label} (existing, learner)")
        run(strategy, ADMIN_USER, f"{operation.label} (existing, admin)")
    return failures


async def test_generated_requests_get_documented_answers_and_never_a_5xx(
    learner_service,
) -> None:
    schema = await asyncio.to_thread(
        schemathesis.openapi.from_url, f"{learner_service.base}/api/openapi.json"
    )
    sent: list[str] = []
    failures = await asyncio.to_thread(fuzz, schema, learner_service, sent)
    assert not failures, "\n\n".join(failures)
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert set(sent) == operations and len(sent) > 10 * len(operations), len(sent)
