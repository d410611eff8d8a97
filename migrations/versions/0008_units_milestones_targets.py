"""Unit vocabulary, milestones (dated steps of status texts) and targets (levels and deadlines).

The new tables are data tables: their changes bump the data version like the others (see 0004).

Revision ID: 0008_units_milestones_targets
Revises: 0007_measurement_period_identity
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_units_milestones_targets"
down_revision: str | None = "0007_measurement_period_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABLES = ("unit", "milestone", "target")
SQLITE_EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("code", sa.String(length=50), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False, unique=True),
        sa.Column("label_nl", sa.String(length=200), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("ucum", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
    )
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("goal_code", sa.String(length=10), sa.ForeignKey("goal.code"), nullable=False),
        sa.Column("status_id", sa.Integer(), sa.ForeignKey("status_update.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.String(length=20), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.UniqueConstraint("status_id", "goal_code", "position"),
    )
    op.create_index("ix_milestone_date", "milestone", ["date_start", "id"])
    op.create_index("ix_milestone_goal_code", "milestone", ["goal_code"])
    op.create_index("ix_milestone_status_id", "milestone", ["status_id"])
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("goal_code", sa.String(length=10), sa.ForeignKey("goal.code"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status_id", sa.Integer(), sa.ForeignKey("status_update.id"), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=50), sa.ForeignKey("unit.code"), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("deadline_precision", sa.String(length=10), nullable=True),
        sa.Column("metric_code", sa.String(length=20), sa.ForeignKey("metric.code"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("goal_code", "position"),
    )
    op.create_index("ix_target_goal_code", "target", ["goal_code"])
    if op.get_bind().dialect.name == "postgresql":
        for table in NEW_TABLES:
            op.execute(
                f"CREATE TRIGGER data_version_note_change "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION data_version_note_change()"
            )
    else:
        for table in NEW_TABLES:
            for event in SQLITE_EVENTS:
                op.execute(
                    f"CREATE TRIGGER data_version_{table}_{event} AFTER {event.upper()} ON "
                    f"{table} BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
                )


def downgrade() -> None:
    # Dropping a table drops its triggers on both databases.
    op.drop_table("target")
    op.drop_table("milestone")
    op.drop_table("unit")
