"""Hostile input through HTTP: a NUL byte, an id or cursor value beyond its column's type, an
over-long text. Each is a 400 (or 404) problem and writes nothing, never a 500, on SQLite and
PostgreSQL alike (run the module with TEST_DATABASE_URL for PostgreSQL)."""

import base64
import json
from datetime import date

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.main import create_app
from app.models import Measurement, StatusUpdate
from app.services.paging import encode_cursor

PROBLEM = "application/problem+json"
TOO_BIG_FOR_INTEGER = 2**31
TOO_BIG_FOR_BIGINT = 2**63


@pytest.fixture(scope="module")
def client(writable_client):
    """This module's own database, so what it writes (or fails to) is seen by no other test."""
    return writable_client


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    return response.json()


def _named(response, status: int) -> set[str]:
    return {param["name"] for param in _problem(response, status).get("invalidParams", [])}


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/v1/metrics/M5.1/measurements/2021%00", "period"),
        ("/v1/metrics/M5.1/measurements/2021%00/revisions", "period"),
        ("/v1/metrics/M5.1/measurements/2021?source=x%00", "source"),
        ("/v1/metrics/M5.1/measurements/2021/revisions?source=x%00", "source"),
        ("/v1/goals/A1%00", "code"),
        ("/v1/goals/A1%00/statuses", "code"),
        ("/v1/metrics/M5.1%00/measurements", "code"),
        ("/v1/goals?perspective=A%00", "perspective"),
        ("/v1/search?q=raad%00", "q"),
    ],
)
def test_nul_in_a_path_or_query_value_is_400(client, url, name):
    assert _named(client.get(url), 400) == {name}


def test_nul_in_the_period_of_a_put_is_400_and_writes_nothing(client, writable_engine, auth):
    before = _count(writable_engine, Measurement)
    response = client.put(
        "/v1/metrics/M5.1/measurements/2031%00",
        json={"value": 1, "valueText": "1", "status": "final"},
        headers=auth | {"If-None-Match": "*"},
    )
    assert _named(response, 400) == {"period"}
    assert _count(writable_engine, Measurement) == before


@pytest.mark.parametrize("field", ["text", "source", "progressEvidence", "asOfLabel"])
def test_nul_in_a_status_field_is_400_and_writes_nothing(client, writable_engine, auth, field):
    before = _count(writable_engine, StatusUpdate)
    body = {"asOf": "2022-03-01", "text": "Stand van zaken", "progress": "inProgress"}
    body[field] = "voor\u0000na"
    response = client.post("/v1/goals/A1/statuses", json=body, headers=auth)
    assert _named(response, 400) == {field}
    assert _count(writable_engine, StatusUpdate) == before


@pytest.mark.parametrize("field", ["valueText", "source", "footnote"])
def test_nul_in_a_measurement_field_is_400_and_writes_nothing(client, writable_engine, auth, field):
    before = _count(writable_engine, Measurement)
    body = {"value": 7, "valueText": "7", "status": "final", "source": "CBS"}
    body[field] = "7\u0000"
    response = client.put(
        "/v1/metrics/M5.1/measurements/2032", json=body, headers=auth | {"If-None-Match": "*"}
    )
    assert _named(response, 400) == {field}
    assert _count(writable_engine, Measurement) == before


@pytest.mark.parametrize("status_id", [TOO_BIG_FOR_INTEGER, TOO_BIG_FOR_BIGINT, 10**30])
def test_a_status_id_beyond_the_column_is_400(client, status_id):
    assert _named(client.get(f"/v1/goals/A1/statuses/{status_id}"), 400) == {"id"}


def test_the_largest_status_id_is_an_ordinary_404(client):
    _problem(client.get(f"/v1/goals/A1/statuses/{TOO_BIG_FOR_INTEGER - 1}"), 404)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/v1/goals", [2**40]),
        ("/v1/goals/A1/statuses", [date(2022, 2, 1), 2**40]),
        ("/v1/measurements", [1, 1, 2018, 2018, 2**40]),
        ("/v1/metrics/M1.1/measurements", [1, 1, 2018, 2018, 2**40]),
        ("/v1/indicators", [2**40]),
    ],
)
def test_a_cursor_beyond_the_column_is_400(client, url, key):
    response = client.get(f"{url}?cursor={encode_cursor(key)}")
    assert _named(response, 400) == {"cursor"}


def test_a_cursor_holding_a_huge_number_in_raw_json_is_400(client):
    payload = json.dumps({"c": "goals", "k": [2**40]}).encode()
    cursor = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    assert _named(client.get(f"/v1/goals?cursor={cursor}"), 400) == {"cursor"}


@pytest.mark.parametrize("supersedes", [TOO_BIG_FOR_INTEGER, TOO_BIG_FOR_BIGINT])
def test_supersedes_beyond_the_column_is_400(client, writable_engine, auth, supersedes):
    before = _count(writable_engine, StatusUpdate)
    body = {"asOf": "2022-03-01", "text": "Correctie", "supersedes": supersedes}
    response = client.post("/v1/goals/A1/statuses", json=body, headers=auth)
    assert _named(response, 400) == {"supersedes"}
    assert _count(writable_engine, StatusUpdate) == before


# --- text limits ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_limits_client(writable_settings):
    """The same database, served with small text limits (MAX_TEXT_LENGTH=60,
    MAX_SHORT_TEXT_LENGTH=12)."""
    settings = writable_settings.model_copy(
        update={"max_text_length": 60, "max_short_text_length": 12}
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_default_limit_admits_a_long_status_and_refuses_one_more_character(
    client, writable_engine, auth
):
    limit = 20_000
    body = {"asOf": "2022-03-01", "text": "x" * (limit + 1)}
    before = _count(writable_engine, StatusUpdate)
    response = client.post("/v1/goals/A2/statuses", json=body, headers=auth)
    problem = _problem(response, 400)
    assert problem["invalidParams"] == [{"name": "text", "reason": f"at most {limit} characters"}]
    assert _count(writable_engine, StatusUpdate) == before
    body["text"] = "x" * limit
    assert client.post("/v1/goals/A2/statuses", json=body, headers=auth).status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("text", "x" * 61, "at most 60 characters"),
        ("progressEvidence", "x" * 61, "at most 60 characters"),
        ("source", "x" * 13, "at most 12 characters"),
        ("asOfLabel", "x" * 13, "at most 12 characters"),
    ],
)
def test_the_configured_limits_apply_to_every_status_field(
    small_limits_client, writable_engine, auth, field, value, reason
):
    body = {"asOf": "2022-03-01", "text": "Stand van zaken", "progress": "inProgress"}
    body[field] = value
    before = _count(writable_engine, StatusUpdate)
    response = small_limits_client.post("/v1/goals/A3/statuses", json=body, headers=auth)
    assert _problem(response, 400)["invalidParams"] == [{"name": field, "reason": reason}]
    assert _count(writable_engine, StatusUpdate) == before


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("valueText", "7" * 13, "at most 12 characters"),
        ("source", "x" * 13, "at most 12 characters"),
        ("footnote", "x" * 61, "at most 60 characters"),
    ],
)
def test_the_configured_limits_apply_to_every_measurement_field(
    small_limits_client, writable_engine, auth, field, value, reason
):
    body = {"value": 7, "valueText": "7", "status": "final"}
    body[field] = value
    before = _count(writable_engine, Measurement)
    response = small_limits_client.put(
        "/v1/metrics/M5.1/measurements/2033", json=body, headers=auth | {"If-None-Match": "*"}
    )
    assert _problem(response, 400)["invalidParams"] == [{"name": field, "reason": reason}]
    assert _count(writable_engine, Measurement) == before


def test_every_field_over_its_limit_is_listed_at_once(small_limits_client, auth):
    body = {"asOf": "2022-03-01", "text": "x" * 61, "source": "x" * 13}
    response = small_limits_client.post("/v1/goals/A3/statuses", json=body, headers=auth)
    assert _named(response, 400) == {"text", "source"}
