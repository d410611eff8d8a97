"""app/services/report_import.py: a later report is imported whole or not at all, and
importing it again changes nothing. The sample report is tests/fixtures/later-report.json
(invented test data in the import format)."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.models import Measurement, MeasurementRevision, StatusUpdate
from app.services.report_import import ReportImportError, import_report_file
from tests.conftest import collect

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later-report.json"


def _fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _table_rows(engine) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes, to compare before and after."""
    with engine.connect() as connection:
        return {
            model.__tablename__: sorted(
                tuple(map(str, row)) for row in connection.execute(sa.select(model))
            )
            for model in (StatusUpdate, Measurement, MeasurementRevision)
        }


def test_the_fixture_says_it_is_a_fixture():
    document = _fixture()
    assert "TEST FIXTURE" in document["title"] and "not report data" in document["note"]
    assert all("TEST FIXTURE" in status["text"] for status in document["statuses"])


def test_import_adds_statuses_and_measurements_then_reimport_changes_nothing(
    writable_engine, writable_client
):
    document = _fixture()
    with Session(writable_engine) as session:
        summary = import_report_file(session, FIXTURE)
    assert summary.statuses_added == len(document["statuses"])
    assert summary.statuses_corrected == 0
    assert summary.measurements_created + summary.measurements_replaced == len(
        document["measurements"]
    )
    for status in document["statuses"]:
        history = collect(writable_client, f"/v1/goals/{status['goalCode']}/statuses")
        imported = [item for item in history if item["text"] == status["text"]]
        assert len(imported) == 1
        assert imported[0]["author"] == "import:later-report.json"
        assert imported[0]["asOf"] == status["asOf"]
        assert imported[0]["progress"] == status.get("progress")
        latest = writable_client.get(f"/v1/goals/{status['goalCode']}").json()["latestStatus"]
        assert latest["id"] == imported[0]["id"]
    for row in document["measurements"]:
        url = f"/v1/metrics/{row['metricCode']}/measurements/{quote(row['period'])}"
        body = writable_client.get(url).json()
        assert (body["value"], body["valueText"], body["status"]) == (
            row["value"],
            row["valueText"],
            row["status"],
        )
        assert body["author"] == "import:later-report.json"
    revised = next(row for row in document["measurements"] if row["period"] == "2021")
    versions = writable_client.get(
        f"/v1/metrics/{revised['metricCode']}/measurements/{revised['period']}/revisions"
    ).json()["items"]
    assert len(versions) == 2 and versions[0]["author"] is None  # the seed's figure is kept

    before = _table_rows(writable_engine)
    with Session(writable_engine) as session:
        again = import_report_file(session, FIXTURE)
    assert not again.changed
    assert again.statuses_unchanged == len(document["statuses"])
    assert again.measurements_unchanged == len(document["measurements"])
    assert _table_rows(writable_engine) == before


def test_a_changed_status_in_a_reimport_is_a_correction(writable_engine, writable_client, tmp_path):
    document = _fixture()
    document["statuses"] = [document["statuses"][0] | {"text": "TEST FIXTURE: corrected text."}]
    document["measurements"] = []
    corrected = tmp_path / "corrected-report.json"
    corrected.write_text(json.dumps(document), encoding="utf-8")
    with Session(writable_engine) as session:
        import_report_file(session, FIXTURE)
        summary = import_report_file(session, corrected)
    assert summary.statuses_corrected == 1
    goal = document["statuses"][0]["goalCode"]
    history = collect(writable_client, f"/v1/goals/{goal}/statuses")
    old = next(item for item in history if item["text"] == _fixture()["statuses"][0]["text"])
    new = next(item for item in history if item["text"] == "TEST FIXTURE: corrected text.")
    assert old["superseded"] and old["supersededBy"] == new["id"]
    assert new["supersedes"] == old["id"]


def test_every_problem_is_reported_with_its_place_and_nothing_is_written(writable_engine, tmp_path):
    document = _fixture()
    document["statuses"][0]["goalCode"] = "Z99"
    document["statuses"][1]["asOf"] = "2999-01-01"
    document["statuses"][2]["text"] = "   "
    document["statuses"].append(dict(document["statuses"][0]))  # a duplicate of statuses[0]
    document["measurements"][0]["metricCode"] = "M99.9"
    document["measurements"][1]["period"] = "twintig"
    document["measurements"][2]["value"] = 5  # notAvailable with a number
    broken = tmp_path / "broken-report.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    before = _table_rows(writable_engine)
    with Session(writable_engine) as session, pytest.raises(ReportImportError) as raised:
        import_report_file(session, broken)
    problems = raised.value.problems
    places = [problem.split(":")[0] for problem in problems]
    assert "statuses[0].goalCode" in places
    assert "statuses[1].asOf" in places
    assert "statuses[2].text" in places
    assert "statuses[3]" in places  # the duplicate
    assert "measurements[0].metricCode" in places
    assert "measurements[1].period" in places
    assert "measurements[2]" in places
    assert _table_rows(writable_engine) == before


@pytest.mark.parametrize(
    ("content", "place"),
    [
        (b"{not json", "(file)"),
        (b'{"statuses": [{"goalCode": "C1"}]}', "statuses[0].asOf"),
        (b'{"measurements": [{"metricCode": "M1.1", "value": "12"}]}', "measurements[0].value"),
        (b'{"unknown": 1}', "unknown"),
    ],
)
def test_malformed_files_are_reported(writable_engine, tmp_path, content, place):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    before = _table_rows(writable_engine)
    with Session(writable_engine) as session, pytest.raises(ReportImportError) as raised:
        import_report_file(session, path)
    assert any(problem.startswith(place) for problem in raised.value.problems), raised.value
    assert _table_rows(writable_engine) == before


def test_missing_file(writable_engine, tmp_path):
    with Session(writable_engine) as session, pytest.raises(ReportImportError, match="cannot read"):
        import_report_file(session, tmp_path / "nowhere.json")


def _report_with_milestones(tmp_path, name: str, milestones: list[dict]) -> Path:
    document = {
        "title": "TEST FIXTURE – not report data",
        "statuses": [
            {
                "goalCode": "B3",
                "asOf": "2022-06-30",
                "asOfLabel": "juni 2022 (testdata)",
                "text": "TEST FIXTURE: invented, raadsbesluit d.d. 10-05-2022; "
                "evaluatie najaar 2022.",
                "source": "TEST FIXTURE – milestones",
                "milestones": milestones,
            }
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


DECISION = {
    "date": "2022-05-10",
    "datePrecision": "day",
    "kind": "decision",
    "body": "council",
    "quote": "raadsbesluit d.d. 10-05-2022",
}
PLANNED = {"date": "2022-01-01", "datePrecision": "year", "kind": "planned", "quote": "najaar 2022"}


def _imported_milestones(client) -> list[dict]:
    history = collect(client, "/v1/goals/B3/statuses")
    current = [item["id"] for item in history if item["source"] == "TEST FIXTURE – milestones"]
    return [
        item for item in collect(client, "/v1/goals/B3/milestones") if item["statusId"] in current
    ]


def test_an_imported_status_brings_its_milestones_and_a_reimport_changes_nothing(
    writable_engine, writable_client, tmp_path
):
    path = _report_with_milestones(tmp_path, "with-milestones.json", [DECISION])
    with Session(writable_engine) as session:
        summary = import_report_file(session, path)
    assert summary.statuses_added == 1
    (milestone,) = _imported_milestones(writable_client)
    assert (milestone["date"], milestone["kind"], milestone["body"]) == (
        "2022-05-10",
        "decision",
        "council",
    )
    with Session(writable_engine) as session:
        again = import_report_file(session, path)
    assert again.statuses_unchanged == 1 and not again.changed
    assert len(_imported_milestones(writable_client)) == 1

    # Other milestones for the same status: a correction that carries them.
    changed = _report_with_milestones(tmp_path, "more-milestones.json", [DECISION, PLANNED])
    with Session(writable_engine) as session:
        corrected = import_report_file(session, changed)
    assert corrected.statuses_corrected == 1
    milestones = _imported_milestones(writable_client)
    statuses = {item["statusId"] for item in milestones}
    assert len(statuses) == 2  # the superseded entry keeps its milestone, the correction has two
    latest = max(statuses)
    assert [m["date"] for m in milestones if m["statusId"] == latest] == [
        "2022-01-01",
        "2022-05-10",
    ]


def test_a_milestone_that_is_not_in_the_text_is_a_problem(writable_engine, tmp_path):
    path = _report_with_milestones(
        tmp_path, "bad-milestone.json", [DECISION | {"quote": "niet gedrukt"}]
    )
    before = _table_rows(writable_engine)
    with Session(writable_engine) as session, pytest.raises(ReportImportError) as raised:
        import_report_file(session, path)
    assert any(p.startswith("statuses[0].milestones[0].quote") for p in raised.value.problems)
    assert _table_rows(writable_engine) == before
