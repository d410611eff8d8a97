"""HTTP caching of reads (app/core/caching.py): strong ETags from the response bytes,
If-None-Match with 304 (weak comparison, `*`, lists), Cache-Control, and ETags that change
exactly when the data does."""

import pytest

from app.core.caching import READ_CACHE_CONTROL

READS = [
    "/v1",
    "/v1/perspectives",
    "/v1/goals?perspective=C",
    "/v1/goals/C4",
    "/v1/goals/C4/statuses",
    "/v1/indicators/M5",
    "/v1/metrics",
    "/v1/metrics/M5.1/measurements",
    "/v1/measurements?year=2019",
    "/v1/measurements?format=csv",
]


@pytest.mark.parametrize("url", READS)
def test_reads_carry_a_strong_etag_and_cache_control(client, url):
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"'), "strong, not W/"
    assert second.headers["ETag"] == etag, "same data, same bytes, same ETag"
    assert first.headers["Cache-Control"] == READ_CACHE_CONTROL
    assert "Accept" in first.headers["Vary"]


@pytest.mark.parametrize("url", READS)
def test_if_none_match_with_the_current_etag_is_304(client, url):
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == READ_CACHE_CONTROL
    assert "API-Version" in response.headers


@pytest.mark.parametrize(
    "header",
    ["W/{etag}", '"other", {etag}', '"other",W/{etag} , "more"', "*"],
)
def test_if_none_match_uses_weak_comparison_lists_and_star(client, header):
    etag = client.get("/v1/goals").headers["ETag"]
    response = client.get("/v1/goals", headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304


def test_if_none_match_with_another_etag_gets_the_full_response(client):
    response = client.get("/v1/goals", headers={"If-None-Match": '"not-the-current-one"'})
    assert response.status_code == 200
    assert response.json()["items"]


def test_head_answers_if_none_match_like_get(client):
    etag = client.get("/v1/perspectives").headers["ETag"]
    assert client.head("/v1/perspectives").headers["ETag"] == etag
    assert client.head("/v1/perspectives", headers={"If-None-Match": etag}).status_code == 304


def test_each_representation_has_its_own_etag(client):
    json_etag = client.get("/v1/measurements").headers["ETag"]
    csv_etag = client.get("/v1/measurements", headers={"Accept": "text/csv"}).headers["ETag"]
    assert json_etag != csv_etag
    response = client.get("/v1/measurements?format=csv", headers={"If-None-Match": json_etag})
    assert response.status_code == 200


def test_errors_are_not_cached(client):
    response = client.get("/v1/goals/Z9")
    assert response.status_code == 404
    assert "ETag" not in response.headers
    assert response.headers.get("Cache-Control") != READ_CACHE_CONTROL


def test_a_write_changes_the_etags_of_what_it_changes(writable_client, auth, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.statuses)
    urls = [f"/v1/goals/{goal.code}", f"/v1/goals/{goal.code}/statuses", "/v1/goals"]
    before = {url: writable_client.get(url).headers["ETag"] for url in urls}
    untouched = writable_client.get("/v1/indicators").headers["ETag"]

    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={"asOf": "2022-07-01", "text": "Een latere stand.", "progress": "achieved"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"

    for url in urls:
        revalidated = writable_client.get(url, headers={"If-None-Match": before[url]})
        assert revalidated.status_code == 200, url
        assert revalidated.headers["ETag"] != before[url]
    assert writable_client.get("/v1/indicators").headers["ETag"] == untouched
