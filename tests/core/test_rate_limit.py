"""Writes are rate-limited per API key; reads never are."""

from fastapi.testclient import TestClient

from app.core.rate_limit import api_key_identity
from app.main import create_app
from app.services.api_keys import hash_key

BODY = {"asOf": "2022-03-01", "text": "Rate limit test."}


def test_writes_over_the_limit_get_429_with_retry_after(engine, settings):
    limited = settings.model_copy(update={"write_rate_limit": "2/minute"})
    with TestClient(create_app(limited)) as client:
        key_a = {"Authorization": "Bearer cmk_not-a-real-key-a"}
        key_b = {"Authorization": "Bearer cmk_not-a-real-key-b"}
        # Unknown keys: the route answers 401, and the attempts still count for that key.
        for _ in range(2):
            assert client.post("/v1/goals/A1/statuses", json=BODY, headers=key_a).status_code == 401
        refused = client.post("/v1/goals/A1/statuses", json=BODY, headers=key_a)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["Cache-Control"] == "no-store"
        assert "not-a-real-key" not in refused.text
        # Another key has its own budget; reads are not limited at all.
        assert client.post("/v1/goals/A1/statuses", json=BODY, headers=key_b).status_code == 401
        for _ in range(5):
            assert client.get("/v1/goals/A1", headers=key_a).status_code == 200


def test_the_identity_is_the_stored_digest_of_the_key():
    scope = {"headers": [(b"authorization", b"Bearer cmk_secret")], "client": ("10.0.0.1", 1)}
    assert api_key_identity(scope) == "key:" + hash_key("cmk_secret")
    anonymous = {"headers": [], "client": ("10.0.0.1", 1)}
    assert api_key_identity(anonymous) == "address:10.0.0.1"
