"""Full-text search index over goals, statuses, indicators and metrics.

Each database uses its own full-text search, and each keeps its index in step with every later
write by itself (whoever writes: API, import, seed, psql), so no service has to remember it.

SQLite: one FTS5 table `search_index` (tokenizer unicode61 with diacritics removed, so
"financiële" and "financiele" match; no stemmer) holding one row per searchable text:
`kind` (goal, status, indicator, metric), `ref` (the code, or the status id) and `body`.
Triggers on the four source tables insert, replace and delete those rows; the upgrade also
fills it from the rows already there.

PostgreSQL: no copy at all. An expression GIN index on `to_tsvector('dutch', <text>)` for each
source column; queries use the same expression, so the index covers every row the moment it is
written. The 'dutch' configuration stems ("laadpalen" and "laadpaal" are both 'laadpal').

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind -> (table, key column, searchable text); shared by both dialects' branches.
SOURCES = {
    "goal": ("goal", "code", "text"),
    "status": ("status_update", "id", "text"),
    "indicator": ("indicator", "code", "name"),
    "metric": ("metric", "code", "name"),
}
# A metric is found by its name and by its breakdown ("naar wijk").
SQLITE_TEXT = {"metric": "{row}.name || coalesce(' ' || {row}.breakdown, '')"}
POSTGRESQL_TEXT = {"metric": "name || coalesce(' ' || breakdown, '')"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for kind in SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{kind}")
    else:
        for kind in SOURCES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS search_index_{kind}_{event}")
        op.execute("DROP TABLE IF EXISTS search_index")


# --- PostgreSQL ---------------------------------------------------------------------------


def postgresql_document(kind: str) -> str:
    """The indexed expression; queries must repeat it exactly for the index to apply."""
    _table, _key, column = SOURCES[kind]
    return f"to_tsvector('dutch'::regconfig, {POSTGRESQL_TEXT.get(kind, column)})"


def _upgrade_postgresql() -> None:
    for kind, (table, _key, _column) in SOURCES.items():
        op.execute(
            f"CREATE INDEX ix_search_{kind} ON {table} USING gin (({postgresql_document(kind)}))"
        )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_text(kind: str, row: str) -> str:
    _table, _key, column = SOURCES[kind]
    return SQLITE_TEXT.get(kind, f"{{row}}.{column}").format(row=row)


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "kind UNINDEXED, ref UNINDEXED, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    for kind, (table, key, _column) in SOURCES.items():
        op.execute(
            f"INSERT INTO search_index (kind, ref, body) "
            f"SELECT '{kind}', CAST(src.{key} AS TEXT), {_sqlite_text(kind, 'src')} "
            f"FROM {table} AS src"
        )
        insert = (
            f"INSERT INTO search_index (kind, ref, body) "
            f"VALUES ('{kind}', CAST(NEW.{key} AS TEXT), {_sqlite_text(kind, 'NEW')});"
        )
        delete = (
            f"DELETE FROM search_index WHERE kind = '{kind}' AND ref = CAST(OLD.{key} AS TEXT);"
        )
        op.execute(
            f"CREATE TRIGGER search_index_{kind}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_index_{kind}_update AFTER UPDATE ON {table} "
            f"BEGIN {delete} {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_index_{kind}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )
