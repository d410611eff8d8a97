"""The seed loader (app/seed.py): validation, idempotence, and the real dataset's counts."""

import json
import shutil
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.seed import SEED_FILES, SeedFormatError, read_seed, seed_database


def _snapshot(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            name: sorted(map(tuple, connection.execute(sa.select(table)).all()), key=repr)
            for name, table in SQLModel.metadata.tables.items()
        }


def test_seeding_twice_changes_nothing(engine, seed_dir):
    before = _snapshot(engine)
    with Session(engine) as session:
        report = seed_database(session, seed_dir)
    assert not report.changed, (report.inserted, report.updated)
    assert _snapshot(engine) == before


def test_the_database_holds_the_whole_seed(engine, seed_data):
    snapshot = _snapshot(engine)
    assert len(snapshot["perspective"]) == len(seed_data.perspectives)
    assert len(snapshot["goal"]) == len(seed_data.goals)
    assert len(snapshot["status_update"]) == sum(len(g.statuses) for g in seed_data.goals)
    assert len(snapshot["indicator"]) == len(seed_data.indicators)
    assert len(snapshot["metric"]) == sum(len(i.metrics) for i in seed_data.indicators)
    assert len(snapshot["measurement"]) == len(seed_data.measurements)


def test_real_seed_has_the_reports_counts(seed_data, uses_real_seed):
    if not uses_real_seed:
        pytest.skip("running against TEST_SEED_DIR / fixture seed, not the real seed/")
    assert len(seed_data.perspectives) == 7
    assert len(seed_data.goals) == 120
    assert len(seed_data.indicators) == 21


@pytest.fixture
def seed_copy(tmp_path, seed_dir):
    copy = tmp_path / "seed"
    copy.mkdir()
    for name in SEED_FILES:
        shutil.copy(seed_dir / name, copy / name)
    return copy


def _edit_json(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_copy_of_the_seed_reads(seed_copy):
    assert read_seed(seed_copy).goals


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("perspectives.json", lambda d: d[0].update(slug="Not A Slug"), "slug"),
        ("goals.json", lambda d: d[0].update(perspectiveCode="Z"), "perspective"),
        ("goals.json", lambda d: d[0].update(crossReferences=["Z99"]), "Z99"),
        ("goals.json", lambda d: d[0]["statuses"][0].update(progress="finished"), "progress"),
        ("goals.json", lambda d: d.append(d[0]), "duplicate goal code"),
        ("goals.json", lambda d: d[0].update(surprise=1), "surprise"),
        ("indicators.json", lambda d: d[0]["metrics"][0].update(unit="furlongs"), "unit"),
    ],
)
def test_invalid_seed_files_are_rejected(seed_copy, file, change, message):
    _edit_json(seed_copy / file, change)
    with pytest.raises(SeedFormatError, match=message):
        read_seed(seed_copy)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("value", "7,2", "value"),
        ("status", "guessed", "status"),
        ("periodType", "decade", "periodType"),
        ("periodEnd", "1800", "period"),
        ("metricCode", "M99.9", "unknown metric"),
    ],
)
def test_invalid_measurement_rows_are_rejected_with_their_row(seed_copy, column, value, message):
    import csv

    path = seed_copy / "measurements.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(SeedFormatError, match=message):
        read_seed(seed_copy)


def test_missing_seed_file_is_reported(seed_copy):
    (seed_copy / "goals.json").unlink()
    with pytest.raises(SeedFormatError, match="missing seed file"):
        read_seed(seed_copy)


def test_reseeding_never_overwrites_written_history(
    writable_client, writable_engine, auth, seed_dir
):
    """Statuses and measurements written through the API survive a second `seed`."""
    row = read_seed(seed_dir).measurements[0]
    url = f"/v1/metrics/{row.metric_code}/measurements/{quote(row.period)}"
    current = writable_client.get(url)
    replaced = writable_client.put(
        url,
        json={"value": 1234, "valueText": "1234", "status": "final"},
        headers=auth | {"If-Match": current.headers["ETag"]},
    )
    assert replaced.status_code == 200
    goal = read_seed(seed_dir).goals[0]
    original = writable_client.get(f"/v1/goals/{goal.code}").json()["latestStatus"]
    correction = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={
            "asOf": original["asOf"],
            "source": original["source"],
            "text": "Gecorrigeerd.",
            "supersedes": original["id"],
        },
        headers=auth,
    )
    assert correction.status_code == 201
    with Session(writable_engine) as session:
        report = seed_database(session, seed_dir)
    assert not report.changed
    assert writable_client.get(url).json()["value"] == 1234
    history = writable_client.get(f"/v1/goals/{goal.code}/statuses").json()["items"]
    texts = {item["id"]: item["text"] for item in history}
    assert texts[original["id"]] == original["text"]
    assert texts[correction.json()["id"]] == "Gecorrigeerd."
