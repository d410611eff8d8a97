"""The response cache under crafted headers: varying `Accept-Encoding` (or spelling one
`Accept` many ways) must not create new entries and flush what others read, and an answer
larger than the cache's entry limit (the export, as the data grows) must not be computed again
for every request."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app

WARM = "/v1/indicators/M5"
FLOODED = "/v1/goals?pageSize=100"


def _counter(client: TestClient, name: str) -> float:
    metrics = client.get("/metrics").text
    return float(re.search(rf"^{name} (\S+)$", metrics, re.MULTILINE).group(1))


def _misses(client: TestClient) -> float:
    return _counter(client, "response_cache_misses_total")


@pytest.fixture
def small_cache_client(engine, settings: Settings) -> Iterator[TestClient]:
    """A cache with room for a few answers only: every extra entry evicts one."""
    small = settings.model_copy(update={"response_cache_max_bytes": 200_000})
    with TestClient(create_app(small)) as client:
        yield client


def test_accept_encoding_variants_share_one_entry_and_flush_nothing(small_cache_client):
    client = small_cache_client
    warm = client.get(WARM).content
    before = _misses(client)
    for n in range(150):
        response = client.get(FLOODED, headers={"Accept-Encoding": f"gzip;q=0.{n:03d}, x-{n}"})
        assert response.status_code == 200
    assert _misses(client) - before == 1
    # What another client had cached is still there.
    before = _misses(client)
    assert client.get(WARM).content == warm
    assert _misses(client) == before


def test_accept_spellings_that_choose_alike_share_one_entry(small_cache_client):
    client = small_cache_client
    client.get(FLOODED, headers={"Accept": "application/json"})
    before = _misses(client)
    for n in range(150):
        response = client.get(FLOODED, headers={"Accept": f"application/json; v={n}"})
        assert response.headers["content-type"].startswith("application/json")
    assert _misses(client) == before
    # A different choice is a different entry, and each gets its own representation.
    csv = client.get(FLOODED, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert client.get(FLOODED, headers={"Accept": "text/csv; v=1"}).content == csv.content
    assert _misses(client) == before + 1


def test_an_answer_over_the_entry_limit_is_computed_once(engine, settings: Settings):
    limit = 32 * 1024
    limited = settings.model_copy(update={"response_cache_max_entry_bytes": limit})
    url = "/v1/measurements?pageSize=500"
    with TestClient(create_app(limited)) as client:
        first = client.get(url)
        assert len(first.content) > limit  # the case in point
        before = _misses(client)
        for _ in range(5):
            again = client.get(url)
            assert again.content == first.content
            assert again.headers["ETag"] == first.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        assert _misses(client) == before


def test_every_negotiated_media_type_is_known_to_the_cache_key(client):
    """The key ranks `Accept` against the media types reads are served in; one added to the API
    without joining that list would share entries with another representation."""
    from app.core.representations import NEGOTIATED_MEDIA_TYPES

    document = client.get("/v1/openapi.json").json()
    served = {
        media_type
        for path, item in document["paths"].items()
        if "get" in item
        for media_type in item["get"]["responses"]["200"].get("content", {})
    }
    assert served <= set(NEGOTIATED_MEDIA_TYPES)
