"""Stored exports: each generated export (one representation of one data version) kept as
ordered chunks, so that every worker and instance serves one generation of it.

Revision ID: 0013_export_artifacts
Revises: 0009_metric_polarity
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_export_artifacts"
down_revision: str | None = "0012_search_status_rowids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_artifact",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("byte_count", sa.BigInteger(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_export_artifact_data_version", "export_artifact", ["data_version"])
    op.create_table(
        "export_chunk",
        sa.Column(
            "key",
            sa.String(length=64),
            sa.ForeignKey("export_artifact.key", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("export_chunk")
    op.drop_index("ix_export_artifact_data_version", table_name="export_artifact")
    op.drop_table("export_artifact")
