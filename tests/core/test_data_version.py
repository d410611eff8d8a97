"""Migration 0004: every change to served data bumps the data version in the database, whoever
writes it; a rolled-back change does not."""

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.core.data_version import current_version

# Tables no response shows (api_key: reads are public, writes are never cached), the
# version's own bookkeeping, the write limits' counters, and the stored exports (derived from
# the data, keyed by version).
NOT_DATA = {
    "api_key",
    "data_version",
    "data_version_pending",
    "export_artifact",
    "export_chunk",
    "rate_limit_counter",
}


def _tables_with_triggers(engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                sa.text(
                    "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                    "WHERE trigger_name = 'data_version_note_change' "
                    "AND trigger_schema = current_schema()"
                )
            )
        else:
            rows = connection.execute(
                sa.text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")
            )
        return {row[0] for row in rows}


def test_every_data_table_bumps_the_version(engine):
    data_tables = set(SQLModel.metadata.tables) - NOT_DATA
    assert data_tables <= _tables_with_triggers(engine)


def test_a_committed_insert_update_and_delete_each_bump_the_version(engine):
    goal = "A1"
    with engine.connect() as connection:
        position = connection.execute(
            sa.text("SELECT coalesce(max(position), 0) + 1000 FROM goal_link")
        ).scalar_one()
    statements = [
        "INSERT INTO goal_link (goal_code, position, url) VALUES (:g, :p, 'https://example.org')",
        "UPDATE goal_link SET url = 'https://example.org/x' WHERE goal_code = :g AND position = :p",
        "DELETE FROM goal_link WHERE goal_code = :g AND position = :p",
    ]
    for statement in statements:
        before = current_version(engine)
        with engine.begin() as connection:
            connection.execute(sa.text(statement), {"g": goal, "p": position})
        assert current_version(engine) > before, statement


def test_a_rolled_back_change_leaves_the_version(engine):
    before = current_version(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text("UPDATE goal SET text = text || ' (draft)' WHERE code = 'A1'"))
        transaction.rollback()
    assert current_version(engine) == before


def test_reads_leave_the_version(engine):
    before = current_version(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("SELECT count(*) FROM measurement")).scalar_one()
    assert current_version(engine) == before


def test_no_change_is_left_pending_after_commit(engine):
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE goal SET text = text WHERE code = 'A1'"))
    with engine.connect() as connection:
        pending = connection.execute(sa.text("SELECT count(*) FROM data_version_pending"))
        assert pending.scalar_one() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE goal SET position = position WHERE code = 'A1'",
        "UPDATE goal SET text = text WHERE code = 'A1'",
        "UPDATE metric SET name = name, notes = notes WHERE code = 'M1.1'",
        "UPDATE measurement SET value = value WHERE metric_code = 'M1.1'",
        "UPDATE status_update SET shared_with = shared_with WHERE goal_code = 'A1'",
    ],
)
def test_an_update_that_changes_nothing_leaves_the_version(engine, statement):
    before = current_version(engine)
    with engine.begin() as connection:
        assert connection.execute(sa.text(statement)).rowcount >= 1
    assert current_version(engine) == before


def test_an_update_that_changes_a_value_bumps_the_version(engine):
    before = current_version(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE goal_link SET url = url || '#x' WHERE position = 1"))
        connection.execute(
            sa.text("UPDATE goal_link SET url = substr(url, 1, length(url) - 2) WHERE position = 1")
        )
    assert current_version(engine) > before


def _search_row(connection, kind: str, ref: str) -> tuple:
    return connection.execute(
        sa.text("SELECT rowid, body FROM search_index WHERE kind = :kind AND ref = :ref"),
        {"kind": kind, "ref": ref},
    ).one()


def test_the_sqlite_search_index_is_rewritten_only_when_its_text_changes(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL indexes the text itself (expression indexes), with no copy")
    with engine.begin() as connection:
        before = _search_row(connection, "goal", "A1")
        connection.execute(sa.text("UPDATE goal SET position = position WHERE code = 'A1'"))
        assert _search_row(connection, "goal", "A1") == before
        connection.execute(sa.text("UPDATE goal SET text = text || ' xyzzy' WHERE code = 'A1'"))
        rowid, body = _search_row(connection, "goal", "A1")
        assert rowid != before[0] and body == before[1] + " xyzzy"
        connection.execute(
            sa.text("UPDATE goal SET text = substr(text, 1, length(text) - 6) WHERE code = 'A1'")
        )
        assert _search_row(connection, "goal", "A1")[1] == before[1]
