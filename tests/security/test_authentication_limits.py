"""The write rate limit must come after authentication: without a key every write is 401 (with
its challenge), never a 429 about "this API key"; guessing keys is slowed per client address;
valid keys keep their own write limit."""

import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import Settings
from app.main import create_app
from app.services import api_keys

WRITE = "/v1/goals/A1/statuses"
# Invalid on purpose: a write that passes authentication and the limits is then a 400, and
# nothing is stored.
INVALID_BODY = {"text": ""}
TRUSTED_PROXY = "testclient"  # TestClient's client address; trusted, so X-Forwarded-For counts


@pytest.fixture
def client(writable_settings: Settings) -> Iterator[TestClient]:
    limited = writable_settings.model_copy(
        update={
            "write_rate_limit": "5/minute",
            "auth_failure_limit": "10/minute",
            "forwarded_allow_ips": TRUSTED_PROXY,
        }
    )
    with TestClient(create_app(limited)) as test_client:
        yield test_client


@pytest.fixture
def unused_key(writable_engine) -> str:
    """A key with its whole write budget (the limits' counters outlive each test's app)."""
    with Session(writable_engine) as session:
        return api_keys.create_key(session, f"tool-{secrets.token_hex(4)}").secret


def _from(address: str, key: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-For": address}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def _assert_unauthorized(response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="coalition-monitor"')


def test_writes_without_a_key_are_always_401(client: TestClient):
    for _ in range(150):
        _assert_unauthorized(client.post(WRITE, json=INVALID_BODY, headers=_from("198.51.100.1")))


def test_guessing_keys_is_slowed_per_address_and_learns_nothing(client: TestClient, api_key):
    guesser = "198.51.100.2"
    for _ in range(10):
        guess = "cmk_" + secrets.token_urlsafe(32)
        _assert_unauthorized(client.post(WRITE, json=INVALID_BODY, headers=_from(guesser, guess)))
    # The address has used up its failures: refused before any key is checked, the real one
    # included, so a lucky guess cannot be told from a wrong one.
    for key in ("cmk_" + secrets.token_urlsafe(32), api_key):
        refused = client.post(WRITE, json=INVALID_BODY, headers=_from(guesser, key))
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["content-type"] == "application/problem+json"
        assert "failed authentications" in refused.json()["detail"]
    # No key at all is still 401; another address still writes with the valid key.
    _assert_unauthorized(client.post(WRITE, json=INVALID_BODY, headers=_from(guesser)))
    assert (
        client.post(WRITE, json=INVALID_BODY, headers=_from("198.51.100.3", api_key)).status_code
        == 400
    )


def test_a_valid_key_is_rate_limited_wherever_it_writes_from(client: TestClient, unused_key):
    for index in range(5):
        answer = client.post(
            WRITE, json=INVALID_BODY, headers=_from(f"198.51.100.{10 + index}", unused_key)
        )
        assert answer.status_code == 400, answer.text
    refused = client.post(WRITE, json=INVALID_BODY, headers=_from("198.51.100.20", unused_key))
    assert refused.status_code == 429
    assert "this API key" in refused.json()["detail"]
    assert unused_key not in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Cache-Control"] == "no-store"
    # Reads are never limited.
    for _ in range(5):
        assert (
            client.get("/v1/goals/A1", headers=_from("198.51.100.20", unused_key)).status_code
            == 200
        )
