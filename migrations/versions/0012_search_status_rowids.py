"""Search: on SQLite each status's row in the FTS5 index gets the status id as its rowid, so a
search can take the most recently added matching statuses straight from the index.

A search ranks every matching goal, indicator and metric and only the most recently added
matching statuses (app/services/search.py): FTS5 walks a word's hits in rowid order at almost
no cost, but ranking them (bm25) costs time for every hit. With rowid = status id, "the newest
matching statuses" is `rowid > 0 ORDER BY rowid DESC LIMIT n`, and the goals, indicators and
metrics (a few hundred texts, the report's fixed catalogue) get negative rowids, `rowid < 0`.
A status's index row is also replaced and deleted by its rowid now instead of by a scan of the
whole index.

The FTS5 table is also rebuilt with prefix indexes for words of 3 and 4 letters
(`prefix='3 4'`, about 40% more index): a short prefix such as "ver*" starts thousands of
words, and without them every MATCH merged all their hit lists (70 ms for the longest query
allowed, 16 such prefixes, at 1000x the report), which a search does three times (candidates,
catalogue, snippets). Longer prefixes start few words and stay cheap without.

PostgreSQL: nothing changes; it orders a search's statuses by `status_update.id` itself.

Revision ID: 0012_search_status_rowids
Revises: 0009_metric_polarity
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_search_status_rowids"
down_revision: str | None = "0011_status_update_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0003 and 0006 (copied: a migration must not change when a later one does).
SOURCES = {
    "goal": ("goal", "code", "text"),
    "status": ("status_update", "id", "text"),
    "indicator": ("indicator", "code", "name"),
    "metric": ("metric", "code", "name"),
}
SEARCH_COLUMNS = {"metric": ("code", "name", "breakdown")}
SQLITE_TEXT = {"metric": "{row}.name || coalesce(' ' || {row}.breakdown, '')"}
# The next free negative rowid: the catalogue's rows count down from -1.
NEXT_CATALOGUE_ROWID = (
    "min(0, coalesce((SELECT rowid FROM search_index ORDER BY rowid LIMIT 1), 0)) - 1"
)


TABLE = (
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "kind UNINDEXED, ref UNINDEXED, body, "
    "tokenize = 'unicode61 remove_diacritics 2'{prefix})"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute("DROP TABLE search_index")
    op.execute(TABLE.format(prefix=", prefix = '3 4'"))
    for kind in SOURCES:
        _refill(kind, status_rowids=True)
        _create_triggers(kind, status_rowids=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute("DROP TABLE search_index")
    op.execute(TABLE.format(prefix=""))
    for kind in SOURCES:
        _refill(kind, status_rowids=False)
        _create_triggers(kind, status_rowids=False)


def _text(kind: str, row: str) -> str:
    _table, _key, column = SOURCES[kind]
    return SQLITE_TEXT.get(kind, f"{{row}}.{column}").format(row=row)


def _rowid(kind: str, row: str, *, status_rowids: bool) -> str | None:
    if not status_rowids:
        return None
    return f"{row}.id" if kind == "status" else NEXT_CATALOGUE_ROWID


def _refill(kind: str, *, status_rowids: bool) -> None:
    table, key, _column = SOURCES[kind]
    select = f"SELECT '{kind}', CAST(src.{key} AS TEXT), {_text(kind, 'src')} FROM {table} AS src"
    if status_rowids and kind != "status":
        # One statement numbers the catalogue's rows down from the lowest rowid so far.
        first = NEXT_CATALOGUE_ROWID
        select = (
            f"SELECT ({first}) + 1 - row_number() OVER (ORDER BY src.rowid), "
            f"'{kind}', CAST(src.{key} AS TEXT), {_text(kind, 'src')} FROM {table} AS src"
        )
        op.execute(f"INSERT INTO search_index (rowid, kind, ref, body) {select}")
    elif status_rowids:
        op.execute(
            f"INSERT INTO search_index (rowid, kind, ref, body) "
            f"SELECT src.id, 'status', CAST(src.id AS TEXT), src.text FROM {table} AS src"
        )
    else:
        op.execute(f"INSERT INTO search_index (kind, ref, body) {select}")


def _create_triggers(kind: str, *, status_rowids: bool) -> None:
    table, key, column = SOURCES[kind]
    rowid = _rowid(kind, "NEW", status_rowids=status_rowids)
    columns = "kind, ref, body" if rowid is None else "rowid, kind, ref, body"
    values = f"'{kind}', CAST(NEW.{key} AS TEXT), {_text(kind, 'NEW')}"
    if rowid is not None:
        values = f"{rowid}, {values}"
    insert = f"INSERT INTO search_index ({columns}) VALUES ({values});"
    if status_rowids and kind == "status":
        delete = "DELETE FROM search_index WHERE rowid = OLD.id;"
    else:
        delete = (
            f"DELETE FROM search_index WHERE kind = '{kind}' AND ref = CAST(OLD.{key} AS TEXT);"
        )
    changed = SEARCH_COLUMNS.get(kind, (key, column))
    condition = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in changed)
    events = {
        "insert": f"INSERT ON {table}",
        "update": f"UPDATE OF {', '.join(changed)} ON {table} WHEN {condition}",
        "delete": f"DELETE ON {table}",
    }
    bodies = {"insert": insert, "update": f"{delete} {insert}", "delete": delete}
    for event, trigger_event in events.items():
        op.execute(f"DROP TRIGGER IF EXISTS search_index_{kind}_{event}")
        op.execute(
            f"CREATE TRIGGER search_index_{kind}_{event} AFTER {trigger_event} "
            f"BEGIN {bodies[event]} END"
        )
