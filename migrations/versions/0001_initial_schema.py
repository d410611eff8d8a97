"""Initial schema: perspectives, goals, status updates, indicators, metrics, measurements.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "perspective",
        sa.Column("code", sa.String(length=1), primary_key=True),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False, unique=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
    )
    op.create_table(
        "goal",
        sa.Column("code", sa.String(length=10), primary_key=True),
        sa.Column(
            "perspective_code",
            sa.String(length=1),
            sa.ForeignKey("perspective.code"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_goal_perspective_code", "goal", ["perspective_code"])
    op.create_table(
        "goal_cross_reference",
        sa.Column("goal_code", sa.String(length=10), sa.ForeignKey("goal.code"), primary_key=True),
        sa.Column(
            "referenced_goal_code",
            sa.String(length=10),
            sa.ForeignKey("goal.code"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "goal_link",
        sa.Column("goal_code", sa.String(length=10), sa.ForeignKey("goal.code"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
    )
    op.create_table(
        "status_update",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("goal_code", sa.String(length=10), sa.ForeignKey("goal.code"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("as_of_label", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("progress", sa.String(length=20), nullable=True),
        sa.Column("progress_evidence", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("shared_with", sa.JSON(), nullable=False),
    )
    op.create_index("ix_status_update_goal_as_of", "status_update", ["goal_code", "as_of", "id"])
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(length=10), primary_key=True),
        sa.Column(
            "perspective_code",
            sa.String(length=1),
            sa.ForeignKey("perspective.code"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_indicator_perspective_code", "indicator", ["perspective_code"])
    op.create_table(
        "metric",
        sa.Column("code", sa.String(length=20), primary_key=True),
        sa.Column(
            "indicator_code",
            sa.String(length=10),
            sa.ForeignKey("indicator.code"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.UniqueConstraint("indicator_code", "position"),
    )
    op.create_index("ix_metric_indicator_code", "metric", ["indicator_code"])
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "metric_code", sa.String(length=20), sa.ForeignKey("metric.code"), nullable=False
        ),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_type", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("footnote", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
    )
    op.create_index(
        "uq_measurement_metric_period_source",
        "measurement",
        ["metric_code", "period", sa.text("coalesce(source, '')")],
        unique=True,
    )
    op.create_index("ix_measurement_metric_code", "measurement", ["metric_code"])
    op.create_index("ix_measurement_period", "measurement", ["period_start", "period_end"])


def downgrade() -> None:
    op.drop_table("measurement")
    op.drop_table("metric")
    op.drop_table("indicator")
    op.drop_table("status_update")
    op.drop_table("goal_link")
    op.drop_table("goal_cross_reference")
    op.drop_table("goal")
    op.drop_table("perspective")
