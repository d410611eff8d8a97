"""Triggers that fire only on real changes: an UPDATE that leaves the columns a trigger mirrors as
they were neither rewrites the search index nor bumps the data version.

SQLite: the search-index update triggers (0003) fire only when the row's key or searchable text
changes (`UPDATE OF ... WHEN OLD.x IS NOT NEW.x`): their DELETE scans the whole FTS table, and a
no-op update made every write pay for it. The data-version update triggers (0004) fire only when
some column of the row changes.

PostgreSQL: the data version's statement-level trigger (0004) fired for any UPDATE statement,
even one that changed no row. Inserts, deletes and truncates keep it; updates are noted per row,
only when the row differs (compared as jsonb: the JSON columns have no equality operator).

The data-version conditions list the columns each table has at this revision; a later migration
that adds a column to a data table must recreate its trigger (`create_sqlite_update_trigger`).

Revision ID: 0006_write_triggers
Revises: 0005_search_vectors
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_write_triggers"
down_revision: str | None = "0005_search_vectors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0003 and 0004 (copied: a migration must not change when a later one does).
SEARCH_SOURCES = {
    "goal": ("goal", "code", "text"),
    "status": ("status_update", "id", "text"),
    "indicator": ("indicator", "code", "name"),
    "metric": ("metric", "code", "name"),
}
SEARCH_COLUMNS = {"metric": ("code", "name", "breakdown")}
SQLITE_SEARCH_TEXT = {"metric": "{row}.name || coalesce(' ' || {row}.breakdown, '')"}
DATA_TABLES = (
    "perspective",
    "goal",
    "goal_cross_reference",
    "goal_link",
    "status_update",
    "indicator",
    "metric",
    "measurement",
    "measurement_revision",
)
BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1;"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_postgresql_triggers(only_real_updates=True)
    else:
        for kind in SEARCH_SOURCES:
            _set_sqlite_search_update_trigger(kind, only_real_changes=True)
        for table in DATA_TABLES:
            create_sqlite_update_trigger(table, only_real_changes=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_postgresql_triggers(only_real_updates=False)
    else:
        for kind in SEARCH_SOURCES:
            _set_sqlite_search_update_trigger(kind, only_real_changes=False)
        for table in DATA_TABLES:
            create_sqlite_update_trigger(table, only_real_changes=False)


def _changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def _set_sqlite_search_update_trigger(kind: str, *, only_real_changes: bool) -> None:
    table, key, column = SEARCH_SOURCES[kind]
    text = SQLITE_SEARCH_TEXT.get(kind, f"{{row}}.{column}").format(row="NEW")
    delete = f"DELETE FROM search_index WHERE kind = '{kind}' AND ref = CAST(OLD.{key} AS TEXT);"
    insert = (
        f"INSERT INTO search_index (kind, ref, body) "
        f"VALUES ('{kind}', CAST(NEW.{key} AS TEXT), {text});"
    )
    event = f"UPDATE ON {table}"
    if only_real_changes:
        columns = SEARCH_COLUMNS.get(kind, (key, column))
        event = f"UPDATE OF {', '.join(columns)} ON {table} WHEN {_changed(columns)}"
    op.execute(f"DROP TRIGGER IF EXISTS search_index_{kind}_update")
    op.execute(
        f"CREATE TRIGGER search_index_{kind}_update AFTER {event} BEGIN {delete} {insert} END"
    )


def create_sqlite_update_trigger(table: str, *, only_real_changes: bool) -> None:
    """The data-version trigger for updates of `table` (SQLite)."""
    condition = ""
    if only_real_changes:
        columns = [column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)]
        condition = f" WHEN {_changed(columns)}"
    op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_update")
    op.execute(
        f"CREATE TRIGGER data_version_{table}_update AFTER UPDATE ON {table}{condition} "
        f"BEGIN {BUMP} END"
    )


def _set_postgresql_triggers(*, only_real_updates: bool) -> None:
    for table in DATA_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS data_version_note_change ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS data_version_note_update ON {table}")
        if only_real_updates:
            op.execute(
                f"CREATE TRIGGER data_version_note_change "
                f"AFTER INSERT OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION data_version_note_change()"
            )
            op.execute(
                f"CREATE TRIGGER data_version_note_update AFTER UPDATE ON {table} FOR EACH ROW "
                "WHEN (to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW)) "
                "EXECUTE FUNCTION data_version_note_change()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER data_version_note_change "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION data_version_note_change()"
            )
