"""app/services/report_import.py: a later report is imported whole or not at all, and
importing it again changes nothing. The sample report is tests/fixtures/later-report.json
(invented test data in the import format)."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.core.config import TextLimits, get_settings
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


def test_nul_and_overlong_texts_are_reported_with_their_place(writable_engine, tmp_path):
    document = _fixture()
    document["statuses"][0]["text"] = "voor\u0000na"
    document["statuses"][1]["source"] = "x" * 501
    document["measurements"][0]["valueText"] = "9\u0000"
    document["measurements"][0]["footnote"] = "x" * 20_001
    document["note"] = "x" * 20_001
    broken = tmp_path / "texts-report.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    before = _table_rows(writable_engine)
    with Session(writable_engine) as session, pytest.raises(ReportImportError) as raised:
        import_report_file(session, broken, TextLimits(text=20_000, short_text=500))
    assert set(raised.value.problems) == {
        "statuses[0].text: must not contain NUL characters",
        "statuses[1].source: at most 500 characters",
        "measurements[0].valueText: must not contain NUL characters",
        "measurements[0].footnote: at most 20000 characters",
        "note: at most 20000 characters",
    }
    assert _table_rows(writable_engine) == before


def _ambiguous_figure_report(tmp_path, seed_data, **changes) -> Path:
    """A file with one M12.1 2021 figure (the period has two seeded figures, from two sources)."""
    seeded = [
        row for row in seed_data.measurements if (row.metric_code, row.period) == ("M12.1", "2021")
    ]
    assert len(seeded) == 2
    figure = {
        "metricCode": "M12.1",
        "period": "2021",
        "periodType": "year",
        "periodStart": 2021,
        "periodEnd": 2021,
        "value": 1234,
        "valueText": "1234",
        "status": "provisional",
    } | changes
    path = tmp_path / "ambiguous-report.json"
    path.write_text(json.dumps({"title": "TEST FIXTURE", "measurements": [figure]}))
    return path


def test_a_figure_without_source_in_a_period_with_two_figures_is_a_reported_problem(
    writable_engine, tmp_path, seed_data
):
    path = _ambiguous_figure_report(tmp_path, seed_data)
    before = _table_rows(writable_engine)
    with Session(writable_engine) as session, pytest.raises(ReportImportError) as raised:
        import_report_file(session, path)
    [problem] = raised.value.problems
    assert problem.startswith("measurements[0].source: ")
    assert "M12.1 has 2 figures for 2021" in problem
    assert _table_rows(writable_engine) == before


def test_an_ambiguous_figure_is_a_problem_list_from_the_command_line_too(
    writable_settings, tmp_path, seed_data, monkeypatch
):
    from app import cli

    monkeypatch.setenv("DATABASE_URL", writable_settings.database_url)
    monkeypatch.setenv("SEED_DIR", str(writable_settings.seed_dir))
    get_settings.cache_clear()
    path = _ambiguous_figure_report(tmp_path, seed_data)
    try:
        with pytest.raises(SystemExit, match=r"Nothing imported(.|\n)*measurements\[0\]\.source"):
            cli.main(["import", str(path)])
    finally:
        get_settings.cache_clear()


def test_a_figure_that_names_its_source_in_that_period_is_imported(
    writable_engine, writable_client, tmp_path, seed_data
):
    source = next(
        row.source
        for row in seed_data.measurements
        if (row.metric_code, row.period) == ("M12.1", "2021") and row.source
    )
    path = _ambiguous_figure_report(tmp_path, seed_data, source=source)
    with Session(writable_engine) as session:
        summary = import_report_file(session, path)
    assert summary.measurements_replaced == 1
    response = writable_client.get(f"/v1/metrics/M12.1/measurements/2021?source={quote(source)}")
    assert response.json()["value"] == 1234


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
