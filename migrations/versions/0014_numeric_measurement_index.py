"""Each metric's numeric figures in period order: a trend compares the latest numeric figure
with the previous comparable one, and the newest periods of a series are often not yet
available (no value), so walking the whole index from the newest would first pass every figure
without a value. A partial index holds only the figures with a value.

Revision ID: 0014_numeric_measurement_index
Revises: 0013_export_artifacts
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_numeric_measurement_index"
down_revision: str | None = "0013_export_artifacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMERIC = sa.text("value IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_measurement_numeric_period",
        "measurement",
        ["metric_code", "period_start", "period_end", "id"],
        sqlite_where=NUMERIC,
        postgresql_where=NUMERIC,
    )


def downgrade() -> None:
    op.drop_index("ix_measurement_numeric_period", table_name="measurement")
