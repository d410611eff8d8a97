"""The Alembic migrations build exactly the schema that app/models.py describes."""

import warnings
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401
from app import migrate
from app.core.config import Settings
from app.db import get_engine
from app.main import create_app
from app.migrate import MIGRATIONS_DIR
from app.seed import seed_database
from app.services import api_keys
from tests.writable_database import drop_fresh_database, fresh_database_url


def _not_search_index(_object, name, _type, _reflected, _compare_to) -> bool:
    # The full-text search index (migrations 0003 and 0005_search_vectors) lives only in the
    # database: an FTS5 table with its shadow tables on SQLite, generated `search_vector`
    # columns with GIN indexes on PostgreSQL.
    return not (name or "").startswith(("search_index", "ix_search_", "search_vector"))


def test_migrated_database_matches_the_models(engine):
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the expression index on measurement; PostgreSQL compares it.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": _not_search_index},
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_migrations_ship_with_the_package():
    assert (MIGRATIONS_DIR / "env.py").exists()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))


# --- upgrading a database that holds history ----------------------------------------------

TABLES_OF_0001 = (
    "perspective",
    "goal",
    "goal_cross_reference",
    "goal_link",
    "status_update",
    "indicator",
    "metric",
    "measurement",
)


def _rows(engine, table: str, columns: list[str]) -> list[tuple]:
    reflected = sa.Table(table, sa.MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        selected = sa.select(*(reflected.c[name] for name in columns))
        return sorted(tuple(map(str, row)) for row in connection.execute(selected))


# SQLite cannot reflect the expression index on measurement; the copy does not need it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrades_keep_seeded_and_written_history(
    database_url, seed_dir, writable_engine, tmp_path, request
):
    """Seed a database at 0001, upgrade it, write history through the API, then upgrade again
    from the previous revision: everything reads back as it was."""
    url = fresh_database_url(database_url, tmp_path, request.node.name)
    settings = Settings(database_url=url, seed_dir=seed_dir)
    engine = get_engine(settings)
    try:
        migrate.upgrade(engine, "0001")
        # The seed as a 0001 database held it: copy the 0001 columns from a seeded database.
        columns = {}
        target = sa.MetaData()
        target.reflect(bind=engine)
        for table in TABLES_OF_0001:
            columns[table] = [column.name for column in target.tables[table].columns]
            source = sa.Table(table, sa.MetaData(), autoload_with=writable_engine)
            with writable_engine.connect() as reading:
                rows = [
                    dict(row._mapping)
                    for row in reading.execute(sa.select(*(source.c[n] for n in columns[table])))
                ]
            with engine.begin() as writing:
                writing.execute(target.tables[table].insert(), rows)
                if engine.dialect.name == "postgresql" and "id" in columns[table]:
                    # Rows were copied with their ids; move the sequence past them, as a
                    # database that the app filled itself would have it.
                    writing.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
        before = {table: _rows(engine, table, columns[table]) for table in TABLES_OF_0001}

        migrate.upgrade(engine, "0002")
        for table in TABLES_OF_0001:
            assert _rows(engine, table, columns[table]) == before[table], table
        with engine.connect() as connection:
            assert (
                connection.execute(
                    sa.text("SELECT count(*) FROM measurement WHERE version <> 1")
                ).scalar()
                == 0
            )

        migrate.upgrade(engine)
        with Session(engine) as session:
            key = api_keys.create_key(session, "migration-test").secret
        auth = {"Authorization": f"Bearer {key}"}
        with TestClient(create_app(settings)) as client:
            goal = client.get("/v1/goals?pageSize=1").json()["items"][0]["code"]
            first = client.post(
                f"/v1/goals/{goal}/statuses",
                json={"asOf": "2022-06-30", "text": "Geschreven voor de upgrade."},
                headers=auth,
            )
            assert first.status_code == 201, first.text
            correction = client.post(
                f"/v1/goals/{goal}/statuses",
                json={
                    "asOf": "2022-06-30",
                    "text": "Gecorrigeerd.",
                    "supersedes": first.json()["id"],
                },
                headers=auth,
            )
            assert correction.status_code == 201, correction.text
            measurement = client.get("/v1/measurements?pageSize=1").json()["items"][0]
            address = (
                f"/v1/metrics/{measurement['metricCode']}/measurements/"
                f"{quote(measurement['period'])}?source={quote(measurement['source'] or '')}"
            )
            if measurement["source"] is None:
                address = address.split("?")[0]
            current = client.get(address)
            replaced = client.put(
                address,
                json={"value": 4242, "valueText": "4242", "status": "final"},
                headers=auth | {"If-Match": current.headers["ETag"]},
            )
            assert replaced.status_code == 200
            written = {
                "statuses": client.get(f"/v1/goals/{goal}/statuses").json(),
                "goal": client.get(f"/v1/goals/{goal}").json(),
                "revisions": client.get(replaced.json()["_links"]["revisions"]["href"]).json(),
            }

        head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
        previous = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_revision(head)
        migrate.downgrade(engine, previous.down_revision)
        migrate.upgrade(engine)
        with TestClient(create_app(settings)) as client:
            assert client.get(f"/v1/goals/{goal}/statuses").json() == written["statuses"]
            assert client.get(f"/v1/goals/{goal}").json() == written["goal"]
            revisions = client.get(replaced.json()["_links"]["revisions"]["href"]).json()
            assert revisions == written["revisions"]
            assert [item["value"] for item in revisions["items"]][-1] == 4242
    finally:
        engine.dispose()
        drop_fresh_database(database_url, url)


def test_the_period_identity_upgrade_names_figures_stored_under_two_spellings(
    database_url, seed_dir, tmp_path, request
):
    """Before 0007 a period spelt with another dash could become a second figure; the upgrade
    then stops and names the pair rather than failing on the unique index."""
    url = fresh_database_url(database_url, tmp_path, request.node.name)
    engine = get_engine(Settings(database_url=url, seed_dir=seed_dir))
    try:
        # Seeded at head (the loader writes every table), then taken back to before 0007.
        migrate.upgrade(engine)
        with Session(engine) as session:
            seed_database(session, seed_dir)
        migrate.downgrade(engine, "0006_write_triggers")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO measurement (metric_code, period, period_type, period_start, "
                    "period_end, value, value_text, status, version) "
                    "VALUES ('M7.1', '2014-2018', 'multiYear', 2014, 2018, 1, '1', 'final', 1)"
                )
            )
        with pytest.raises(RuntimeError, match=r"M7\.1 2014-2018 \(source ''\): 2 figures"):
            migrate.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM measurement WHERE period = '2014-2018'"))
        migrate.upgrade(engine)
    finally:
        engine.dispose()
        drop_fresh_database(database_url, url)
