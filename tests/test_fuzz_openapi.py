"""Property-based fuzzing of every operation in the OpenAPI document with schemathesis: no 5xx,
no response that violates its documented schema, headers or content type, and no status code
the document does not list. Writes carry a valid API key (and also run without one).

The example budget per operation is kept small so that the whole suite stays within minutes;
raise FUZZ_EXAMPLES locally for a longer hunt.
"""

import os

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_app(writable_settings):
    # Fuzzing writes far faster than any tool: lift the rate limit for this app only.
    unlimited = writable_settings.model_copy(update={"write_rate_limit": "100000/minute"})
    application = create_app(unlimited)
    with TestClient(application):
        yield application


def _operations(application):
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", application)
    return [result.ok() for result in schema.get_all_operations()]


def _known_path_parameters(engine) -> dict[str, list[dict[str, str]]]:
    """Path parameters that name real resources, so that fuzzing reaches past the 404s."""

    def rows(sql: str) -> list[tuple]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]

    goals = [{"code": code} for (code,) in rows("SELECT code FROM goal")]
    metrics = [{"code": code} for (code,) in rows("SELECT code FROM metric")]
    periods = [
        {"code": code, "period": period}
        for code, period in rows("SELECT metric_code, period FROM measurement")
    ]
    return {
        "/v1/perspectives/{code}": [{"code": c} for (c,) in rows("SELECT code FROM perspective")],
        "/v1/goals/{code}": goals,
        "/v1/goals/{code}/statuses": goals,
        "/v1/goals/{code}/statuses/{id}": [
            {"code": code, "id": str(status_id)}
            for code, status_id in rows("SELECT goal_code, id FROM status_update")
        ],
        "/v1/indicators/{code}": [{"code": c} for (c,) in rows("SELECT code FROM indicator")],
        "/v1/metrics/{code}": metrics,
        "/v1/metrics/{code}/measurements": metrics,
        "/v1/metrics/{code}/measurements/{period}": periods,
        "/v1/metrics/{code}/measurements/{period}/revisions": periods,
    }


def _fuzz(operation, headers, known: list[dict[str, str]] | None):
    @given(case=operation.as_strategy(), data=st.data())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case, data):
        if known and data.draw(st.booleans(), label="use real path parameters"):
            case.path_parameters = dict(data.draw(st.sampled_from(known), label="resource"))
        if case.query and case.query.get("format") in ("csv", "zip"):
            # The document gives only the JSON as the 200 body, so that generated clients type
            # it exactly; CSV and ZIP are described in words and tested in
            # tests/core/test_representations.py and tests/clients/test_data_frames.py.
            case.query["format"] = "json"
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()


def test_every_operation_answers_as_documented(fuzzed_app, auth, writable_engine):
    operations = _operations(fuzzed_app)
    known = _known_path_parameters(writable_engine)
    assert len(operations) >= 15
    failures = []
    for operation in operations:
        is_write = operation.method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        try:
            _fuzz(operation, auth if is_write else None, known.get(operation.path))
        except Exception as failure:
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert not failures, "\n\n".join(failures)
