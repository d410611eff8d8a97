"""GET /v1/export (app/api/routes/export.py): the whole dataset as one JSON document in stable
order, and the same as a ZIP of CSV files."""

import csv
import io
import zipfile
from datetime import datetime

from tests.conftest import collect


def test_export_holds_every_collection_in_collection_order(client, seed_data):
    document = client.get("/v1/export").json()
    assert document["dataVersion"] >= 1
    assert document["generatedAt"].endswith(("Z", "+00:00"))
    for key, url in [
        ("perspectives", "/v1/perspectives"),
        ("goals", "/v1/goals"),
        ("indicators", "/v1/indicators"),
        ("metrics", "/v1/metrics"),
        ("measurements", "/v1/measurements"),
        ("units", "/v1/units"),
        ("milestones", "/v1/milestones"),
        ("targets", "/v1/targets"),
    ]:
        assert document[key] == collect(client, url + "?pageSize=500"), key
    statuses = [
        status
        for goal in document["goals"]
        for status in collect(client, f"/v1/goals/{goal['code']}/statuses")
    ]
    assert document["statuses"] == statuses
    assert len(document["goals"]) == len(seed_data.goals)


def test_export_is_stable_until_the_data_changes(writable_client, auth, seed_data):
    first = writable_client.get("/v1/export")
    again = writable_client.get("/v1/export")
    assert first.content == again.content
    assert first.headers["ETag"] == again.headers["ETag"]

    goal = seed_data.goals[3]
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={"asOf": "2022-05-01", "text": "Export test."},
        headers=auth,
    )
    assert response.status_code == 201
    after = writable_client.get("/v1/export", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    document = after.json()
    assert document["dataVersion"] > first.json()["dataVersion"]
    written_at = datetime.fromisoformat(response.json()["recordedAt"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(document["generatedAt"]) == written_at
    assert response.json()["id"] in {status["id"] for status in document["statuses"]}


def test_zip_holds_one_csv_per_list_matching_the_json(client):
    document = client.get("/v1/export").json()
    for headers, url in [
        ({"Accept": "application/zip"}, "/v1/export"),
        ({}, "/v1/export?format=zip"),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert "filename=" in response.headers["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert sorted(archive.namelist()) == sorted(
            f"{key}.csv"
            for key in (
                "perspectives",
                "goals",
                "statuses",
                "indicators",
                "metrics",
                "measurements",
                "units",
                "milestones",
                "targets",
            )
        )
        for name in archive.namelist():
            rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            items = document[name.removesuffix(".csv")]
            assert len(rows) == len(items), name
            assert [row.get("code") or row.get("id") or row["metricCode"] for row in rows] == [
                str(item.get("code") or item.get("id") or item["metricCode"]) for item in items
            ]
    measurements_csv = client.get("/v1/measurements?format=csv&pageSize=500").content
    zipped = zipfile.ZipFile(io.BytesIO(client.get("/v1/export?format=zip").content))
    assert zipped.read("measurements.csv") == measurements_csv
    milestones_csv = client.get("/v1/milestones?format=csv&pageSize=500").content
    assert zipped.read("milestones.csv") == milestones_csv
    targets_csv = client.get("/v1/targets?format=csv&pageSize=500").content
    assert zipped.read("targets.csv") == targets_csv


def test_export_refuses_what_it_cannot_serve(client):
    assert client.get("/v1/export", headers={"Accept": "text/csv"}).status_code == 406
    assert client.get("/v1/export?format=csv").status_code == 400
