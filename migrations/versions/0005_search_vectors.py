"""Search: a stored `search_vector` per searchable table on PostgreSQL, so a search ranks its
hits from the index's own data and finds compounds.

Migration 0003 indexed the expression `to_tsvector('dutch', text)`: ranking a hit had to parse
its text again, so a common word cost time in proportion to every row it matched, and the
Dutch stems alone cannot find a word inside a compound ("klimaat" is stemmed "klimat", which
does not start "klimaatmonitor"). Each table now stores the Dutch stems followed by the words as
written ('simple' configuration, which also keeps stop words), in a generated column that
PostgreSQL keeps up to date on every write, with a GIN index on it. A search matches each word
by its stem and as written, the latter also as a prefix (app/services/search.py).

SQLite: nothing changes; its FTS5 table (migration 0003) already matches words as written and
as prefixes.

Revision ID: 0005_search_vectors
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_search_vectors"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind -> (table, searchable text); the same texts as migration 0003.
SOURCES = {
    "goal": ("goal", "text"),
    "status": ("status_update", "text"),
    "indicator": ("indicator", "name"),
    "metric": ("metric", "name || coalesce(' ' || breakdown, '')"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind, (table, text) in SOURCES.items():
        vector = (
            f"to_tsvector('dutch'::regconfig, {text}) || to_tsvector('simple'::regconfig, {text})"
        )
        op.execute(f"DROP INDEX IF EXISTS ix_search_{kind}")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        op.execute(f"CREATE INDEX ix_search_{kind} ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind, (table, text) in SOURCES.items():
        # Dropping the column drops its index; then migration 0003's expression index again.
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(
            f"CREATE INDEX ix_search_{kind} ON {table} "
            f"USING gin ((to_tsvector('dutch'::regconfig, {text})))"
        )
