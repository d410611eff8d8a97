"""GET /v1/export (app/api/routes/export.py): the whole dataset as one JSON document in stable
order, the same as a ZIP of flat CSV tables with their Frictionless data package, and the
per-table downloads (app/api/routes/downloads.py)."""

import codecs
import csv
import io
import json
import zipfile
from datetime import datetime

import frictionless
import httpx
import pytest

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


TABLES = [
    "perspectives",
    "goals",
    "goal-cross-references",
    "goal-links",
    "statuses",
    "status-shared-goals",
    "indicators",
    "metrics",
    "metric-notes",
    "measurements",
    "units",
    "milestones",
    "targets",
]


def _is_json_container(cell: str) -> bool:
    try:
        return isinstance(json.loads(cell), list | dict)
    except ValueError:
        return False  # a text such as the UCUM code `{count}`


def _zip(client, **headers) -> zipfile.ZipFile:
    """The ZIP export, by `Accept` when headers are given, else by `format`."""
    response = client.get("/v1/export" if headers else "/v1/export?format=zip", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "filename=" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _table(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_zip_holds_flat_tables_joined_by_codes_and_their_data_package(client):
    archive = _zip(client, Accept="application/zip")
    assert archive.namelist() == _zip(client).namelist()
    assert sorted(archive.namelist()) == sorted(
        [f"{name}.csv" for name in TABLES] + ["datapackage.json"]
    )
    document = client.get("/v1/export").json()
    tables = {name: _table(archive.read(f"{name}.csv")) for name in TABLES}
    for name, rows in tables.items():
        for row in rows:
            for column, cell in row.items():
                # One value per cell: no nested JSON, no column that is always empty.
                assert not _is_json_container(cell), (name, column, cell)
        lists = {"goals", "indicators", "metrics", "measurements", "notes", "sharedWith", "links"}
        assert not lists & set(rows[0]), name
    assert [row["code"] for row in tables["goals"]] == [goal["code"] for goal in document["goals"]]
    assert [row["id"] for row in tables["statuses"]] == [
        str(status["id"]) for status in document["statuses"]
    ]
    assert len(tables["measurements"]) == len(document["measurements"])
    # The lists of the JSON are tables of their own, joined by codes.
    assert [
        (row["goalCode"], row["referencedGoalCode"]) for row in tables["goal-cross-references"]
    ] == [
        (goal["code"], reference["code"])
        for goal in document["goals"]
        for reference in goal["crossReferences"]
    ]
    assert [(row["metricCode"], row["note"]) for row in tables["metric-notes"]] == [
        (metric["code"], note) for metric in document["metrics"] for note in metric["notes"]
    ]
    indicator_of = {row["code"]: row["indicatorCode"] for row in tables["metrics"]}
    assert {indicator_of[row["metricCode"]] for row in tables["measurements"]} <= {
        row["code"] for row in tables["indicators"]
    }


def test_zip_tables_are_the_per_table_downloads(client):
    archive = _zip(client)
    for name in TABLES:
        download = client.get(f"/v1/downloads/{name}.csv")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert f'filename="{name}.csv"' in download.headers["Content-Disposition"]
        assert download.content == archive.read(f"{name}.csv"), name


@pytest.mark.parametrize("database", ["client", "scaled_client"])
def test_frictionless_validates_the_exported_package(request, database, tmp_path):
    # The scaled database adds written history: timestamps, corrections, decimal figures.
    archive = _zip(request.getfixturevalue(database))
    archive.extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    measurements = next(r for r in descriptor["resources"] if r["name"] == "measurements")
    assert measurements["schema"]["primaryKey"] == ["metricCode", "period", "source"]
    assert {
        "fields": ["metricCode"],
        "reference": {"resource": "metrics", "fields": ["code"]},
    } in measurements["schema"]["foreignKeys"]
    assert descriptor["licenses"][0]["path"].startswith("http://creativecommons.org/")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])
    assert [task.name for task in report.tasks] == TABLES


def test_frictionless_reports_a_broken_foreign_key(client, tmp_path):
    # Proof that the validation above checks the keys: a measurement of an unknown metric.
    archive = _zip(client)
    archive.extractall(tmp_path)
    path = tmp_path / "measurements.csv"
    lines = path.read_text().splitlines()
    lines[1] = "NOPE" + lines[1][lines[1].index(",") :]
    path.write_text("\r\n".join(lines) + "\r\n")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {
        error[3] for error in report.flatten(["resourceName", "rowNumber", "fieldName", "type"])
    }


def test_the_served_data_package_describes_the_downloads(live_server):
    report = frictionless.validate(f"{live_server}/v1/downloads/datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])
    descriptor = httpx.get(f"{live_server}/v1/downloads/datapackage.json").json()
    assert [resource["path"] for resource in descriptor["resources"]] == [
        f"{live_server}/v1/downloads/{name}.csv" for name in TABLES
    ]


def test_typed_columns_for_pandas_from_the_package(client, tmp_path):
    archive = _zip(client)
    archive.extractall(tmp_path)
    resource = frictionless.Package(str(tmp_path / "datapackage.json")).get_resource("measurements")
    frame = resource.to_pandas()
    assert str(frame["periodStart"].dtype).startswith("int")
    assert str(frame["value"].dtype).startswith("float")


def test_dutch_excel_variant_reads_back_as_the_same_table(client):
    plain = client.get("/v1/downloads/measurements.csv")
    excel = client.get("/v1/downloads/measurements.csv?format=csv-excel")
    assert excel.status_code == 200
    assert 'filename="measurements-excel.csv"' in excel.headers["Content-Disposition"]
    assert excel.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
    expected = _table(plain.content)
    assert len(rows) == len(expected)
    with_fraction = 0
    for row, original in zip(rows, expected, strict=True):
        value = row.pop("value")
        assert "." not in value
        assert value.replace(",", ".") == original.pop("value")
        with_fraction += "," in value
        assert row == original
    assert with_fraction > 0, "some figure should have a decimal comma"
    assert client.get("/v1/downloads/measurements.csv?format=xlsx").status_code == 400


def test_export_refuses_what_it_cannot_serve(client):
    assert client.get("/v1/export", headers={"Accept": "text/csv"}).status_code == 406
    assert client.get("/v1/export?format=csv").status_code == 400
