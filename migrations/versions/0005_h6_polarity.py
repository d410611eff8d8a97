"""Metric polarity: the editorial reading of which direction of a series is better.

Revision ID: 0005_h6_polarity
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_h6_polarity"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: null polarity means the report gives no basis for a direction. Plain ALTER
    # TABLE (no batch copy) on SQLite too, so the table keeps its triggers (0003, 0004).
    op.add_column("metric", sa.Column("polarity", sa.String(length=20), nullable=True))
    op.add_column("metric", sa.Column("polarity_reason", sa.Text(), nullable=True))
    op.add_column("metric", sa.Column("polarity_evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    for column in ("polarity_evidence", "polarity_reason", "polarity"):
        op.drop_column("metric", column)
