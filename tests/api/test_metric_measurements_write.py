"""One measurement as a resource (app/api/routes/metrics.py): GET with ETag, PUT to create or
replace under If-Match, every replaced version kept under /revisions."""

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.models import Measurement, MeasurementRevision


def _url(metric: str, period: str, suffix: str = "") -> str:
    return f"/v1/metrics/{metric}/measurements/{quote(period)}{suffix}"


def _unique_figure(seed_data, index):
    """A seeded (metric, period) with exactly one figure; a different one for each test."""
    counts: dict[tuple[str, str], int] = {}
    for row in seed_data.measurements:
        counts[(row.metric_code, row.period)] = counts.get((row.metric_code, row.period), 0) + 1
    singles = [
        row
        for row in seed_data.measurements
        if counts[(row.metric_code, row.period)] == 1 and row.value is not None
    ]
    return singles[index]


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        measurements = connection.execute(
            sa.select(sa.func.count()).select_from(Measurement)
        ).scalar()
        revisions = connection.execute(
            sa.select(sa.func.count()).select_from(MeasurementRevision)
        ).scalar()
    return measurements, revisions


def test_get_one_measurement_with_its_etag(writable_client, seed_data):
    row = _unique_figure(seed_data, 0)
    response = writable_client.get(_url(row.metric_code, row.period))
    assert response.status_code == 200
    body = response.json()
    assert response.headers["ETag"].startswith('"')
    assert body["period"] == row.period
    assert body["value"] == row.value
    assert body["valueText"] == row.value_text
    assert body["status"] == row.status
    assert body["version"] == 1
    assert body["author"] is None
    assert writable_client.get(body["_links"]["self"]["href"]).json() == body


def test_replace_needs_if_match_and_keeps_every_version(
    writable_client, writable_engine, auth, seed_data
):
    row = _unique_figure(seed_data, 1)
    url = _url(row.metric_code, row.period)
    original = writable_client.get(url)
    etag = original.headers["ETag"]
    revised = {"value": 12.5, "valueText": "12,5", "status": "provisional"}

    missing = writable_client.put(url, json=revised, headers=auth)
    assert missing.status_code == 428
    assert missing.headers["Content-Type"] == "application/problem+json"
    stale = writable_client.put(url, json=revised, headers=auth | {"If-Match": '"stale"'})
    assert stale.status_code == 412
    weak = writable_client.put(url, json=revised, headers=auth | {"If-Match": f"W/{etag}"})
    assert weak.status_code == 412
    assert writable_client.get(url).json() == original.json()

    replaced = writable_client.put(url, json=revised, headers=auth | {"If-Match": etag})
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["Cache-Control"] == "no-store"
    new_etag = replaced.headers["ETag"]
    assert new_etag != etag
    body = replaced.json()
    assert (body["value"], body["valueText"], body["status"]) == (12.5, "12,5", "provisional")
    assert body["version"] == 2 and body["author"] == "test-tool" and body["recordedAt"]
    assert writable_client.get(url).headers["ETag"] == new_etag

    # The old ETag is stale now.
    again = writable_client.put(
        url, json=revised | {"value": 13}, headers=auth | {"If-Match": etag}
    )
    assert again.status_code == 412

    third = writable_client.put(
        url,
        json={"value": 13, "valueText": "13", "status": "final", "footnote": "Herzien."},
        headers=auth | {"If-Match": new_etag},
    )
    assert third.status_code == 200
    revisions = writable_client.get(_url(row.metric_code, row.period, "/revisions"))
    assert revisions.status_code == 200
    versions = revisions.json()["items"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["current"] for v in versions] == [False, False, True]
    assert versions[0]["value"] == row.value and versions[0]["valueText"] == row.value_text
    assert versions[0]["replacedBy"] == "test-tool" and versions[0]["replacedAt"]
    assert versions[1]["value"] == 12.5 and versions[1]["author"] == "test-tool"
    assert versions[2]["footnote"] == "Herzien." and versions[2]["replacedAt"] is None


def test_identical_replacement_changes_nothing(writable_client, writable_engine, auth, seed_data):
    row = _unique_figure(seed_data, 2)
    url = _url(row.metric_code, row.period)
    current = writable_client.get(url)
    before = _counts(writable_engine)
    same = {
        "value": row.value,
        "valueText": row.value_text,
        "status": row.status,
        "footnote": row.footnote,
    }
    response = writable_client.put(
        url, json=same, headers=auth | {"If-Match": current.headers["ETag"]}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == current.headers["ETag"]
    assert response.json()["version"] == 1
    assert _counts(writable_engine) == before


def test_create_a_new_period(writable_client, writable_engine, auth, seed_data):
    metric = seed_data.measurements[0].metric_code
    url = _url(metric, "2023")
    assert writable_client.get(url).status_code == 404
    body = {"value": 41, "valueText": "41", "status": "final"}
    # If-Match on something that does not exist fails; If-None-Match: * creates only.
    assert writable_client.put(url, json=body, headers=auth | {"If-Match": "*"}).status_code == 412
    created = writable_client.put(url, json=body, headers=auth | {"If-None-Match": "*"})
    assert created.status_code == 201, created.text
    assert url + "?source=" in created.headers["Location"]
    assert writable_client.get(created.headers["Location"]).json() == created.json()
    assert created.json()["periodType"] == "year"
    assert created.json()["periodStart"] == 2023 and created.json()["periodEnd"] == 2023
    assert writable_client.get(url).json() == created.json()
    again = writable_client.put(url, json=body, headers=auth | {"If-None-Match": "*"})
    assert again.status_code == 412
    assert writable_client.put(url, json=body, headers=auth).status_code == 428
    listed = writable_client.get(f"/v1/metrics/{metric}/measurements?year=2023").json()["items"]
    assert [item["period"] for item in listed] == ["2023"]


@pytest.mark.parametrize(
    ("period", "period_type", "start", "end"),
    [("2022-2023", "schoolYear", 2022, 2023), ("2018–2022", "multiYear", 2018, 2022)],
)
def test_periods_as_printed(writable_client, auth, seed_data, period, period_type, start, end):
    metric = seed_data.measurements[-1].metric_code
    response = writable_client.put(
        _url(metric, period),
        json={"value": None, "valueText": "Nog niet bekend", "status": "notAvailable"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["period"], body["periodType"]) == (period, period_type)
    assert (body["periodStart"], body["periodEnd"]) == (start, end)


def test_several_figures_for_one_period_are_addressed_by_source(writable_client, auth, seed_data):
    metric = seed_data.measurements[0].metric_code
    url = _url(metric, "2024")
    own = writable_client.put(
        url, json={"value": 1, "valueText": "1", "status": "final"}, headers=auth
    )
    assert own.status_code == 201
    other = writable_client.put(
        url + "?source=" + quote("Studentenonderzoek 2024"),
        json={"value": 2, "valueText": "2", "status": "final"},
        headers=auth,
    )
    assert other.status_code == 201, other.text
    assert other.json()["source"] == "Studentenonderzoek 2024"
    assert "source=" in other.headers["Location"]

    ambiguous = writable_client.get(url)
    assert ambiguous.status_code == 409
    assert "Studentenonderzoek 2024" in ambiguous.json()["detail"]
    assert (
        writable_client.put(
            url, json={"value": 3, "valueText": "3", "status": "final"}, headers=auth
        ).status_code
        == 409
    )
    # Each figure's self link names its source, and answers with that figure.
    for created, value in ((own, 1), (other, 2)):
        self_href = writable_client.get(created.headers["Location"]).json()["_links"]["self"][
            "href"
        ]
        assert writable_client.get(self_href).json()["value"] == value
    # The body's source addresses too; it may not contradict the parameter.
    conflicting = writable_client.put(
        url + "?source=A",
        json={"value": 2, "valueText": "2", "status": "final", "source": "B"},
        headers=auth,
    )
    assert conflicting.status_code == 400


def test_seeded_periods_with_two_sources(writable_client, seed_data, uses_real_seed):
    pairs: dict[tuple[str, str], list] = {}
    for row in seed_data.measurements:
        pairs.setdefault((row.metric_code, row.period), []).append(row)
    several = {key: rows for key, rows in pairs.items() if len(rows) > 1}
    if uses_real_seed:
        assert ("M12.1", "2021") in several
    for (metric, period), rows in several.items():
        assert writable_client.get(_url(metric, period)).status_code == 409
        for row in rows:
            response = writable_client.get(_url(metric, period) + "?source=" + quote(row.source))
            assert response.status_code == 200
            assert response.json()["valueText"] == row.value_text
            assert response.json()["_links"]["self"]["href"].endswith(
                _url(metric, period) + "?source=" + quote(row.source, safe="").replace("%20", "+")
            )


def test_every_problem_is_listed_and_nothing_is_written(writable_client, writable_engine, auth):
    before = _counts(writable_engine)
    response = writable_client.put(
        _url("M1.1", "20x1"),
        json={"value": "veel", "valueText": "", "status": "guessed", "extra": 1},
        headers=auth,
    )
    assert response.status_code == 400
    names = {param["name"] for param in response.json()["invalidParams"]}
    assert names == {"period", "value", "valueText", "status", "extra"}
    assert _counts(writable_engine) == before


@pytest.mark.parametrize(
    ("period", "body"),
    [
        ("2021-2019", {"value": 1, "valueText": "1", "status": "final"}),
        ("1850", {"value": 1, "valueText": "1", "status": "final"}),
        ("2025", {"value": None, "valueText": "x", "status": "final"}),
        ("2025", {"value": 3, "valueText": "3", "status": "notAvailable"}),
        ("2025", {"valueText": "3", "status": "final"}),
    ],
)
def test_impossible_values_are_bad_requests(writable_client, auth, period, body):
    response = writable_client.put(_url("M1.1", period), json=body, headers=auth)
    assert response.status_code == 400, response.text


def test_non_finite_numbers_are_rejected(writable_client, auth):
    response = writable_client.put(
        _url("M1.1", "2025"),
        content=b'{"value": NaN, "valueText": "x", "status": "final"}',
        headers=auth | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_unknown_metric_is_404_and_needs_no_body_check_to_say_so(writable_client, auth):
    response = writable_client.put(
        _url("M99.9", "2021"), json={"value": 1, "valueText": "1", "status": "final"}, headers=auth
    )
    assert response.status_code == 404
    assert writable_client.get(_url("M99.9", "2021")).status_code == 404
    assert writable_client.get(_url("M1.1", "1999")).status_code == 404
    assert writable_client.get(_url("M1.1", "1999", "/revisions")).status_code == 404


def test_measurement_writes_need_a_key_and_json(writable_client, auth):
    body = {"value": 1, "valueText": "1", "status": "final"}
    response = writable_client.put(_url("M1.1", "2030"), json=body)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = writable_client.put(
        _url("M1.1", "2030"), content=b"1", headers=auth | {"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert writable_client.get(_url("M1.1", "2030")).status_code == 404
