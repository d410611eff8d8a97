"""Database tables. Every change here needs an Alembic migration under migrations/versions."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Perspective(SQLModel, table=True):
    __tablename__ = "perspective"

    code: str = Field(primary_key=True, max_length=1)
    number: str = Field(max_length=10)
    slug: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    description: str = Field(sa_type=sa.Text)


class Goal(SQLModel, table=True):
    __tablename__ = "goal"

    code: str = Field(primary_key=True, max_length=10)
    perspective_code: str = Field(foreign_key="perspective.code", index=True, max_length=1)
    # "order" is an SQL keyword; the API calls this field "order".
    position: int = Field(sa_column_kwargs={"unique": True})
    text: str = Field(sa_type=sa.Text)


class GoalCrossReference(SQLModel, table=True):
    __tablename__ = "goal_cross_reference"

    goal_code: str = Field(foreign_key="goal.code", primary_key=True, max_length=10)
    referenced_goal_code: str = Field(foreign_key="goal.code", primary_key=True, max_length=10)
    position: int


class GoalLink(SQLModel, table=True):
    __tablename__ = "goal_link"

    goal_code: str = Field(foreign_key="goal.code", primary_key=True, max_length=10)
    position: int = Field(primary_key=True)
    url: str = Field(sa_type=sa.Text)


class StatusUpdate(SQLModel, table=True):
    __tablename__ = "status_update"
    __table_args__ = (
        sa.Index("ix_status_update_goal_as_of", "goal_code", "as_of", "id"),
        sa.Index("uq_status_update_supersedes_id", "supersedes_id", unique=True),
        # The `progress` filter finds its few candidates here, not by reading the history.
        sa.Index("ix_status_update_progress", "progress"),
    )

    id: int | None = Field(default=None, primary_key=True)
    goal_code: str = Field(foreign_key="goal.code", max_length=10)
    as_of: date
    as_of_label: str = Field(max_length=100)
    text: str = Field(sa_type=sa.Text)
    progress: str | None = Field(default=None, max_length=20)
    progress_evidence: str | None = Field(default=None, sa_type=sa.Text)
    source: str | None = Field(default=None, sa_type=sa.Text)
    # Codes of the other goals that share this printed status block.
    shared_with: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # Write history (migration 0002). Seeded entries have neither author nor recorded_at.
    author: str | None = Field(default=None, max_length=100)
    recorded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # A correction names the entry it supersedes; an entry is superseded at most once, so
    # corrections form a chain and "the current entry" is never ambiguous.
    supersedes_id: int | None = Field(default=None, foreign_key="status_update.id")


class Indicator(SQLModel, table=True):
    __tablename__ = "indicator"
    # One perspective's indicators in report order (a perspective's page of measurements); it
    # serves lookups by perspective too.
    __table_args__ = (
        sa.Index("uq_indicator_perspective_position", "perspective_code", "position", unique=True),
    )

    code: str = Field(primary_key=True, max_length=10)
    perspective_code: str = Field(foreign_key="perspective.code", max_length=1)
    position: int = Field(sa_column_kwargs={"unique": True})
    name: str = Field(sa_type=sa.Text)
    note: str | None = Field(default=None, sa_type=sa.Text)


class Metric(SQLModel, table=True):
    __tablename__ = "metric"
    __table_args__ = (sa.UniqueConstraint("indicator_code", "position"),)

    code: str = Field(primary_key=True, max_length=20)
    indicator_code: str = Field(foreign_key="indicator.code", max_length=10)
    position: int
    name: str = Field(sa_type=sa.Text)
    breakdown: str | None = Field(default=None, sa_type=sa.Text)
    unit: str = Field(max_length=50)
    source: str | None = Field(default=None, sa_type=sa.Text)
    notes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    line: int | None = None
    # Editorial reading (migration 0005): `higherIsBetter`, `lowerIsBetter`, or null where the
    # report gives no basis; with a short reason and a verbatim quote of the report.
    polarity: str | None = Field(default=None, max_length=20)
    polarity_reason: str | None = Field(default=None, sa_type=sa.Text)
    polarity_evidence: str | None = Field(default=None, sa_type=sa.Text)


class Measurement(SQLModel, table=True):
    __tablename__ = "measurement"
    __table_args__ = (
        # A period is its type, start and end (its printed spelling only shows it). One period
        # can carry figures from two sources (M12.1 2021); a NULL source means "the metric's
        # own", and NULLs never collide in a unique index, hence the coalesce.
        sa.Index(
            "uq_measurement_identity",
            "metric_code",
            "period_type",
            "period_start",
            "period_end",
            sa.text("coalesce(source, '')"),
            unique=True,
        ),
        # Each metric's figures in period order: pages of the measurement table come from it.
        sa.Index("ix_measurement_metric_period", "metric_code", "period_start", "period_end", "id"),
        # Only the figures with a value, in the same order: the two a trend compares.
        sa.Index(
            "ix_measurement_numeric_period",
            "metric_code",
            "period_start",
            "period_end",
            "id",
            sqlite_where=sa.text("value IS NOT NULL"),
            postgresql_where=sa.text("value IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    metric_code: str = Field(foreign_key="metric.code", max_length=20)
    period: str = Field(max_length=20)
    period_type: str = Field(max_length=20)
    period_start: int
    period_end: int
    value: float | None = None
    value_text: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(max_length=20)
    # Only set where the printed source differs from the metric's.
    source: str | None = Field(default=None, sa_type=sa.Text)
    footnote: str | None = Field(default=None, sa_type=sa.Text)
    line: int | None = None
    # Write history (migration 0002): replacing a measurement bumps the version and keeps the
    # replaced version as a MeasurementRevision.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    author: str | None = Field(default=None, max_length=100)
    recorded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class MeasurementRevision(SQLModel, table=True):
    """A replaced version of a measurement, kept as it was (never updated or deleted)."""

    __tablename__ = "measurement_revision"
    __table_args__ = (sa.UniqueConstraint("measurement_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    measurement_id: int = Field(foreign_key="measurement.id", index=True)
    version: int
    period_type: str = Field(max_length=20)
    period_start: int
    period_end: int
    value: float | None = None
    value_text: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(max_length=20)
    source: str | None = Field(default=None, sa_type=sa.Text)
    footnote: str | None = Field(default=None, sa_type=sa.Text)
    line: int | None = None
    author: str | None = Field(default=None, max_length=100)
    recorded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    replaced_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    replaced_by: str = Field(max_length=100)


class ApiKey(SQLModel, table=True):
    """A write credential of one municipal tool; only the key's SHA-256 digest is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    key_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class RateLimitCounter(SQLModel, table=True):
    """A write limit's counter (app/core/rate_limit.py), shared by every instance: the hits of
    one limit for one API key or client address in the window ending at `expires_at`."""

    __tablename__ = "rate_limit_counter"

    # The `limits` key: the limit's scope, whom it counts and the limit itself.
    key: str = Field(primary_key=True, max_length=200)
    hits: int
    # Seconds since the epoch, by the database's clock (one clock for every instance).
    expires_at: float = Field(sa_type=sa.Double, index=True)


class DataVersion(SQLModel, table=True):
    """One row: a counter that database triggers bump whenever served data changes (migration
    0004); the response cache validates its entries against it."""

    __tablename__ = "data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="ck_data_version_single_row"),)

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(sa_type=sa.BigInteger)


class DataVersionPending(SQLModel, table=True):
    """PostgreSQL only uses it: the transactions that changed data and bump the version at
    commit (see migration 0004). Always empty outside a writing transaction."""

    __tablename__ = "data_version_pending"

    transaction_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )


class Unit(SQLModel, table=True):
    """The unit vocabulary: every unit a metric or a target is measured in."""

    __tablename__ = "unit"

    code: str = Field(primary_key=True, max_length=50)
    position: int = Field(sa_column_kwargs={"unique": True})
    label_nl: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    # The Unified Code for Units of Measure, where one exists.
    ucum: str | None = Field(default=None, max_length=50)
    description: str = Field(sa_type=sa.Text)


class Milestone(SQLModel, table=True):
    """A dated step that a status text prints, with the words that say it."""

    __tablename__ = "milestone"
    __table_args__ = (
        sa.Index("ix_milestone_date", "date_start", "id"),
        sa.UniqueConstraint("status_id", "goal_code", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    goal_code: str = Field(foreign_key="goal.code", index=True, max_length=10)
    status_id: int = Field(foreign_key="status_update.id", index=True)
    # Order within the status, as printed.
    position: int
    # The printed date's first day ("maart 2022": 2022-03-01) and how exact it is.
    date_start: date
    date_precision: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    body: str | None = Field(default=None, max_length=20)
    quote: str = Field(sa_type=sa.Text)


class Target(SQLModel, table=True):
    """A forward-looking level or deadline that a goal (or its status) states."""

    __tablename__ = "target"
    __table_args__ = (sa.UniqueConstraint("goal_code", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    goal_code: str = Field(foreign_key="goal.code", index=True, max_length=10)
    position: int
    source: str = Field(max_length=10)
    status_id: int | None = Field(default=None, foreign_key="status_update.id")
    quote: str = Field(sa_type=sa.Text)
    value: float | None = None
    unit: str | None = Field(default=None, foreign_key="unit.code", max_length=50)
    # As a milestone's date: the first day of the printed period, and its precision.
    deadline: date | None = None
    deadline_precision: str | None = Field(default=None, max_length=10)
    metric_code: str | None = Field(default=None, foreign_key="metric.code", max_length=20)
    note: str | None = Field(default=None, sa_type=sa.Text)


class ExportArtifact(SQLModel, table=True):
    """A generated export (one representation of one data version), stored in `ExportChunk`s
    so every worker and instance serves the one generation (app/services/export_store.py).

    `heartbeat_at` is renewed with every stored chunk while `complete` is false: a generator
    that stops renewing it has crashed, and a later request takes the generation over."""

    __tablename__ = "export_artifact"

    key: str = Field(primary_key=True, max_length=64)
    data_version: int = Field(sa_type=sa.BigInteger, index=True)
    complete: bool = False
    chunk_count: int = 0
    byte_count: int = Field(default=0, sa_type=sa.BigInteger)
    heartbeat_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ExportChunk(SQLModel, table=True):
    """One piece of an export's bytes, in order of `seq` (0, 1, ...)."""

    __tablename__ = "export_chunk"

    key: str = Field(
        primary_key=True,
        max_length=64,
        sa_column_kwargs={"autoincrement": False},
        foreign_key="export_artifact.key",
        ondelete="CASCADE",
    )
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    data: bytes = Field(sa_type=sa.LargeBinary)
