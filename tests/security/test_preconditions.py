"""Preconditions on a measurement's PUT: `If-None-Match` compares weakly (RFC 9110), so a weak
form of the current ETag is a failed precondition (412), not a missing one (428)."""

from urllib.parse import quote


def _url(row) -> str:
    return f"/v1/metrics/{row.metric_code}/measurements/{quote(row.period, safe='')}"


def test_a_weak_current_etag_in_if_none_match_is_412(writable_client, auth, seed_data):
    row = next(row for row in seed_data.measurements if row.value is not None)
    current = writable_client.get(_url(row))
    assert current.status_code == 200, current.text
    etag = current.headers["ETag"]
    body = {"value": 1, "valueText": "1", "status": "final"}
    for header in (f"W/{etag}", f'"other", W/{etag}'):
        refused = writable_client.put(
            _url(row), json=body, headers=auth | {"If-None-Match": header}
        )
        assert refused.status_code == 412, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    # Nothing changed.
    assert writable_client.get(_url(row)).json() == current.json()
