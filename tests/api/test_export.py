"""GET /v1/export (app/api/routes/export.py): the whole dataset as one JSON document in stable
order, the same as a ZIP of flat CSV tables with their Frictionless data package, and the
per-table downloads (app/api/routes/downloads.py)."""

import codecs
import concurrent.futures
import csv
import dataclasses
import io
import json
import zipfile
from datetime import datetime

import frictionless
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

from app import schemas
from app.api.presenters import Urls
from app.api.routes.export import export_document
from app.core.observability import CACHE_HITS, EXPORT_GENERATIONS
from app.services import export, tables
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


def _generations(representation: str) -> float:
    return EXPORT_GENERATIONS.labels(representation)._value.get()


def _csv_in_one_piece(table: tables.Table, dataset: export.Dataset) -> bytes:
    """A table as the export wrote it before it was streamed: whole, then encoded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    for row in table.rows(dataset):
        writer.writerow([tables._cell(value, tables.DIALECTS["csv"]) for value in row])
    return buffer.getvalue().encode()


def _zip_in_one_piece(files: dict[str, bytes], modified: datetime) -> bytes:
    """The ZIP as the export wrote it before it was streamed: in memory, member by member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = export._zip_info(name, modified)
            archive.writestr(info, content)
    return buffer.getvalue()


def _built_in_memory(app, engine) -> tuple[bytes, bytes]:
    """The JSON and ZIP exports built as before they were streamed: the dataset loaded into
    lists, the document encoded by FastAPI, the ZIP written in memory."""
    scope = {"type": "http", "app": app, "path": "/v1/export", "headers": [], "query_string": b""}
    urls = Urls(Request(scope))
    with export.snapshot(engine) as session:
        streamed = export.stream_dataset(session)
        lists = {
            part.name: list(getattr(streamed, part.name))
            for part in dataclasses.fields(export.Dataset)[2:]
        }
        dataset = export.Dataset(streamed.data_version, streamed.modified, **lists)
    reference = FastAPI()
    reference.get("/", response_model=schemas.ExportDocument)(
        lambda: export_document(urls, dataset)
    )
    with TestClient(reference) as encoder:
        document = encoder.get("/").content
    files = {table.file_name: _csv_in_one_piece(table, dataset) for table in tables.TABLES}
    descriptor = tables.data_package(lambda table: table.file_name)
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, indent=2).encode()
    return document, _zip_in_one_piece(files, dataset.modified)


@pytest.mark.parametrize(
    ("database", "engine_fixture"), [("client", "engine"), ("scaled_client", "scaled_engine")]
)
def test_the_streamed_export_is_byte_for_byte_the_export_built_in_memory(
    request, database, engine_fixture
):
    http = request.getfixturevalue(database)
    document, archive = _built_in_memory(http.app, request.getfixturevalue(engine_fixture))
    streamed = http.get("/v1/export")
    assert streamed.status_code == 200
    assert "content-length" not in streamed.headers  # streamed, not buffered
    assert streamed.content == document
    assert http.get("/v1/export?format=zip").content == archive


def test_concurrent_downloads_cost_one_generation(writable_client, auth, seed_data):
    # A write makes a data version nobody has exported yet.
    goal = seed_data.goals[5]
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={"asOf": "2022-06-01", "text": "Concurrent export test."},
        headers=auth,
    )
    assert response.status_code == 201
    before = {name: _generations(name) for name in ("json", "zip")}
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(
                lambda number: writable_client.get(
                    "/v1/export" + ("?format=zip" if number % 2 else "")
                ),
                range(100),
            )
        )
    assert {answer.status_code for answer in answers} == {200}
    assert {_generations(name) - before[name] for name in ("json", "zip")} == {1}
    for representation in (0, 1):
        same = answers[representation::2]
        assert len({answer.content for answer in same}) == 1
        assert len({answer.headers["ETag"] for answer in same}) == 1
    assert response.json()["id"] in {s["id"] for s in json.loads(answers[0].content)["statuses"]}


def test_a_conditional_request_is_answered_without_generating(writable_client, auth, seed_data):
    first = writable_client.get("/v1/export")
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    response = writable_client.post(
        f"/v1/goals/{seed_data.goals[6].code}/statuses",
        json={"asOf": "2022-06-02", "text": "Conditional export test."},
        headers=auth,
    )
    assert response.status_code == 201
    before = _generations("json")
    # The client's copy is out of date, or any copy will do: neither needs the new export.
    assert writable_client.get("/v1/export", headers={"If-None-Match": etag}).status_code == 200
    generated = _generations("json")
    assert generated == before + 1
    fresh = writable_client.get("/v1/export")
    unchanged = writable_client.get("/v1/export", headers={"If-None-Match": fresh.headers["ETag"]})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["ETag"] == fresh.headers["ETag"]
    assert _generations("json") == generated
    response = writable_client.post(
        f"/v1/goals/{seed_data.goals[7].code}/statuses",
        json={"asOf": "2022-06-03", "text": "Conditional export test, again."},
        headers=auth,
    )
    assert writable_client.get("/v1/export", headers={"If-None-Match": "*"}).status_code == 304
    assert _generations("json") == generated


def test_the_export_is_never_kept_in_the_workers_memory_cache(client):
    client.get("/v1/export")
    hits = CACHE_HITS._value.get()
    again = client.get("/v1/export")
    assert again.status_code == 200
    assert CACHE_HITS._value.get() == hits


def test_table_downloads_are_generated_once_and_streamed_like_the_export(
    writable_client, auth, seed_data
):
    response = writable_client.post(
        f"/v1/goals/{seed_data.goals[8].code}/statuses",
        json={"asOf": "2022-06-04", "text": "Download test."},
        headers=auth,
    )
    assert response.status_code == 201
    before = _generations("statuses.csv-excel")
    first = writable_client.get("/v1/downloads/statuses.csv?format=csv-excel")
    again = writable_client.get("/v1/downloads/statuses.csv?format=csv-excel")
    assert first.content == again.content
    assert "Download test." in first.content.decode("utf-8-sig")
    assert "content-length" not in first.headers
    assert _generations("statuses.csv-excel") == before + 1
    etag = first.headers["ETag"]
    assert etag != writable_client.get("/v1/downloads/statuses.csv").headers["ETag"]
    conditional = writable_client.get(
        "/v1/downloads/statuses.csv?format=csv-excel", headers={"If-None-Match": etag}
    )
    assert conditional.status_code == 304


def test_head_of_the_export_has_the_headers_of_get_and_no_body(client):
    full = client.get("/v1/export?format=zip")
    head = client.head("/v1/export?format=zip")
    assert head.status_code == 200
    assert head.content == b""
    for name in ("ETag", "Content-Type", "Content-Disposition"):
        assert head.headers[name] == full.headers[name]
