"""Metric polarity: the editorial reading of which direction of a series is better.

SQLite: the data-version trigger of `metric` (0006) names the columns it watches; it is made
anew with the new columns, so a change of polarity alone also bumps the data version (and
before the downgrade drops them, since SQLite refuses to drop a column a trigger names).

Revision ID: 0009_metric_polarity
Revises: 0008_units_milestones_targets
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_metric_polarity"
down_revision: str | None = "0008_units_milestones_targets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("polarity", "polarity_reason", "polarity_evidence")
BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1;"


def upgrade() -> None:
    # Nullable: null polarity means the report gives no basis for a direction. Plain ALTER
    # TABLE (no batch copy) on SQLite too, so the table keeps its triggers.
    op.add_column("metric", sa.Column("polarity", sa.String(length=20), nullable=True))
    op.add_column("metric", sa.Column("polarity_reason", sa.Text(), nullable=True))
    op.add_column("metric", sa.Column("polarity_evidence", sa.Text(), nullable=True))
    _watch_metric_columns(exclude=())


def downgrade() -> None:
    _watch_metric_columns(exclude=COLUMNS)
    for column in reversed(COLUMNS):
        op.drop_column("metric", column)


def _watch_metric_columns(*, exclude: Sequence[str]) -> None:
    """SQLite: the data-version trigger of metric updates, watching its columns but `exclude`."""
    if op.get_bind().dialect.name != "sqlite":
        return
    columns = [
        column["name"]
        for column in sa.inspect(op.get_bind()).get_columns("metric")
        if column["name"] not in exclude
    ]
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
    op.execute("DROP TRIGGER IF EXISTS data_version_metric_update")
    op.execute(
        f"CREATE TRIGGER data_version_metric_update AFTER UPDATE ON metric WHEN {changed} "
        f"BEGIN {BUMP} END"
    )
