"""An index for the `progress` filter of goals: without it PostgreSQL reads the whole status
history to find the entries with that progress (tests/services/test_query_plans.py).

Revision ID: 0011_status_update_progress
Revises: 0010_rate_limit_counter
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_status_update_progress"
down_revision: str | None = "0010_rate_limit_counter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_status_update_progress", "status_update", ["progress"])


def downgrade() -> None:
    op.drop_index("ix_status_update_progress", table_name="status_update")
