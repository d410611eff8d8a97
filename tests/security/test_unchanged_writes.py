"""A write that changes nothing (a PUT with the values the measurement already has: 200, no new
version) must not bump the data version: that would empty every worker's response cache and
change the export's ETag for nothing. Both databases."""

from app.core.data_version import current_version


def _measurement_url(seed_data) -> str:
    counts: dict[tuple[str, str], int] = {}
    for row in seed_data.measurements:
        counts[(row.metric_code, row.period)] = counts.get((row.metric_code, row.period), 0) + 1
    row = next(
        row
        for row in seed_data.measurements
        if counts[(row.metric_code, row.period)] == 1 and row.value is not None
    )
    return f"/v1/metrics/{row.metric_code}/measurements/{row.period}"


def test_a_put_that_changes_nothing_leaves_the_data_version_and_the_export(
    writable_client, writable_engine, auth, seed_data
):
    url = _measurement_url(seed_data)
    current = writable_client.get(url)
    body = current.json()
    unchanged = {key: body[key] for key in ("value", "valueText", "status", "footnote")}
    export_etag = writable_client.get("/v1/export").headers["ETag"]
    version = current_version(writable_engine)

    response = writable_client.put(
        url, json=unchanged, headers=auth | {"If-Match": current.headers["ETag"]}
    )

    assert response.status_code == 200, response.text
    assert response.json()["version"] == body["version"]
    assert response.headers["ETag"] == current.headers["ETag"]
    assert current_version(writable_engine) == version
    assert writable_client.get("/v1/export").headers["ETag"] == export_etag


def test_a_put_that_changes_a_value_bumps_the_data_version(
    writable_client, writable_engine, auth, seed_data
):
    url = _measurement_url(seed_data)
    current = writable_client.get(url)
    body = current.json()
    changed = {"value": 1.5, "valueText": "1,5", "status": "provisional"}
    version = current_version(writable_engine)
    response = writable_client.put(
        url, json=changed, headers=auth | {"If-Match": current.headers["ETag"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == body["version"] + 1
    assert current_version(writable_engine) > version
