"""Measurements: a period is identified by its type, first and last year, not by its spelling; and
an index that pages the measurement table in report order.

- `uq_measurement_identity` (metric, period type, start, end, source) replaces the unique index on
  the printed period, so `2014-2018` and `2014–2018` cannot be two figures of one metric. The
  upgrade stops, naming them, if a database already holds such a pair (keep one, then upgrade).
- `ix_measurement_metric_period` (metric, start, end, id) replaces `ix_measurement_period`: a
  year filter then walks each metric's figures in period order, and SQLite pages
  `measurements?yearFrom=..&yearTo=..` from the index instead of sorting every matching row;
  `uq_indicator_perspective_position` does the same for one perspective's measurements. The
  single-column indexes on indicator.perspective_code, metric.indicator_code and
  measurement.metric_code go: the indexes that start with those columns serve the same lookups,
  and SQLite's planner, given the choice, took the single-column one and then sorted.

Revision ID: 0007_measurement_period_identity
Revises: 0006_write_triggers
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_measurement_period_identity"
down_revision: str | None = "0006_write_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTITY = "metric_code, period_type, period_start, period_end, coalesce(source, '')"


def upgrade() -> None:
    _refuse_duplicate_periods()
    op.execute("DROP INDEX IF EXISTS uq_measurement_metric_period_source")
    op.execute(f"CREATE UNIQUE INDEX uq_measurement_identity ON measurement ({IDENTITY})")
    op.drop_index("ix_measurement_period", table_name="measurement")
    op.create_index(
        "ix_measurement_metric_period",
        "measurement",
        ["metric_code", "period_start", "period_end", "id"],
    )
    # Unique (as position is), so SQLite knows each indicator is one step of the order.
    op.create_index(
        "uq_indicator_perspective_position",
        "indicator",
        ["perspective_code", "position"],
        unique=True,
    )
    op.drop_index("ix_indicator_perspective_code", table_name="indicator")
    op.drop_index("ix_metric_indicator_code", table_name="metric")
    op.drop_index("ix_measurement_metric_code", table_name="measurement")


def downgrade() -> None:
    op.create_index("ix_measurement_metric_code", "measurement", ["metric_code"])
    op.create_index("ix_metric_indicator_code", "metric", ["indicator_code"])
    op.create_index("ix_indicator_perspective_code", "indicator", ["perspective_code"])
    op.drop_index("uq_indicator_perspective_position", table_name="indicator")
    op.drop_index("ix_measurement_metric_period", table_name="measurement")
    op.create_index("ix_measurement_period", "measurement", ["period_start", "period_end"])
    op.execute("DROP INDEX IF EXISTS uq_measurement_identity")
    op.execute(
        "CREATE UNIQUE INDEX uq_measurement_metric_period_source "
        "ON measurement (metric_code, period, coalesce(source, ''))"
    )


def _refuse_duplicate_periods() -> None:
    duplicates = op.get_bind().execute(
        sa.text(
            f"SELECT metric_code, period_start, period_end, coalesce(source, ''), count(*) "
            f"FROM measurement GROUP BY {IDENTITY} HAVING count(*) > 1"
        )
    )
    found = [
        f"{metric} {start}-{end} (source {source!r}): {count} figures"
        for metric, start, end, source, count in duplicates
    ]
    if found:
        raise RuntimeError(
            "These periods have more than one figure under different spellings; keep one of "
            "each (see /revisions), then upgrade again: " + "; ".join(found)
        )
