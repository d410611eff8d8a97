"""Write history: API keys, authored and superseding status updates, measurement revisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    # Existing rows keep their data: the new columns are nullable (the seed's entries have no
    # author) or default to the first version.
    with op.batch_alter_table("status_update") as batch:
        batch.add_column(sa.Column("author", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_status_update_supersedes_id", "status_update", ["supersedes_id"], ["id"]
        )
        batch.create_index("uq_status_update_supersedes_id", ["supersedes_id"], unique=True)
    with _measurement_batch() as batch:
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(sa.Column("author", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    _ensure_measurement_identity_index()
    op.create_table(
        "measurement_revision",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("measurement_id", sa.Integer(), sa.ForeignKey("measurement.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("period_type", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("footnote", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=100), nullable=False),
        sa.UniqueConstraint("measurement_id", "version"),
    )
    op.create_index(
        "ix_measurement_revision_measurement_id", "measurement_revision", ["measurement_id"]
    )


def downgrade() -> None:
    op.drop_table("measurement_revision")
    with _measurement_batch() as batch:
        batch.drop_column("recorded_at")
        batch.drop_column("author")
        batch.drop_column("version")
    _ensure_measurement_identity_index()
    with op.batch_alter_table("status_update") as batch:
        batch.drop_index("uq_status_update_supersedes_id")
        batch.drop_constraint("fk_status_update_supersedes_id", type_="foreignkey")
        batch.drop_column("supersedes_id")
        batch.drop_column("recorded_at")
        batch.drop_column("author")
    op.drop_table("api_key")


def _ensure_measurement_identity_index() -> None:
    """SQLite cannot reflect the expression index on measurement, so a batch copy of the table
    silently leaves it behind; put it back (a no-op where it survived, as on PostgreSQL)."""
    op.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_measurement_metric_period_source "
        "ON measurement (metric_code, period, coalesce(source, ''))"
    )


@contextmanager
def _measurement_batch():
    # The warning is about the expression index, which _ensure_measurement_identity_index puts
    # back right after the batch.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table("measurement") as batch:
            yield batch
