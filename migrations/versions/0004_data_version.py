"""Data version: one counter that every committed change to the served data bumps, in the
database itself (triggers), so every worker and replica sees it and no writer can forget it.

The response cache (app/core/response_cache.py) keys its entries to this counter.

SQLite: row-level triggers (the only kind SQLite has) bump the counter inside the writing
transaction; SQLite serialises writers, so the counter row cannot deadlock anything.

PostgreSQL: a statement-level trigger on every data table notes the transaction in
`data_version_pending` (at most one row per transaction; concurrent transactions insert
different keys, so they never wait for each other there). A deferred constraint trigger on that
row bumps the counter once per transaction, at commit. Taking the counter's row lock only at
commit keeps it the last lock any writer takes, so it cannot join a deadlock with the row locks
of concurrent writers (an early bump would: writer A locks measurement X then waits for the
counter, writer B holds the counter and wants X). Readers see the new counter exactly when they
see the data it covers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table whose rows a response can show. `api_key` is left out on purpose: no read depends
# on it (reads are public), and writes are never cached.
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
SQLITE_EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_data_version_single_row"),
    )
    op.create_table(
        "data_version_pending",
        sa.Column("transaction_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    )
    op.execute("INSERT INTO data_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in DATA_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_note_change ON {table}")
        op.execute("DROP TRIGGER IF EXISTS data_version_bump ON data_version_pending")
        op.execute("DROP FUNCTION IF EXISTS data_version_note_change()")
        op.execute("DROP FUNCTION IF EXISTS data_version_bump()")
    else:
        for table in DATA_TABLES:
            for event in SQLITE_EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event}")
    op.drop_table("data_version_pending")
    op.drop_table("data_version")


def _create_sqlite_triggers() -> None:
    for table in DATA_TABLES:
        for event in SQLITE_EVENTS:
            op.execute(
                f"CREATE TRIGGER data_version_{table}_{event} AFTER {event.upper()} ON {table} "
                "BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
            )


def _create_postgresql_triggers() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION data_version_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO data_version_pending (transaction_id) VALUES (txid_current())
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE data_version SET version = version + 1 WHERE id = 1;
            DELETE FROM data_version_pending WHERE transaction_id = NEW.transaction_id;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT ON data_version_pending "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()"
    )
    for table in DATA_TABLES:
        op.execute(
            f"CREATE TRIGGER data_version_note_change "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION data_version_note_change()"
        )
