"""The flat measurement table, and one metric's series."""

import itertools
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join
from sqlmodel import Session

from app.models import Indicator, Measurement, Metric
from app.services.filters import (
    measurement_covers_years,
    perspective_codes,
    year_bounds,
)
from app.services.indicators import MeasurementView, require_metric_record
from app.services.paging import Page, paginate

# Series order: report order of indicator and metric, then chronological by period.
MEASUREMENT_ORDER = [
    Indicator.position,
    Metric.position,
    Measurement.period_start,
    Measurement.period_end,
    Measurement.id,
]


class _OuterFirstJoin(Join):
    """An inner join whose left side is the outer loop. On SQLite it is a CROSS JOIN, SQLite's
    documented way to fix the join order: indicators in report order, each one's metrics, each
    one's figures from ix_measurement_metric_period, so a page of the table is read in its
    order and never sorted. Without statistics SQLite's planner would rather scan every
    measurement and sort them. Other databases plan it as any join."""

    inherit_cache = True


@compiles(_OuterFirstJoin, "sqlite")
def _sqlite_cross_join(
    join: _OuterFirstJoin, compiler, asfrom=False, from_linter=None, **kw
) -> str:
    if from_linter:
        from_linter.edges.update(
            itertools.product(join.left._from_objects, join.right._from_objects)
        )
    left = join.left._compiler_dispatch(compiler, asfrom=True, from_linter=from_linter, **kw)
    right = join.right._compiler_dispatch(compiler, asfrom=True, from_linter=from_linter, **kw)
    onclause = join.onclause._compiler_dispatch(compiler, from_linter=from_linter, **kw)
    return f"{left} CROSS JOIN {right} ON {onclause}"


def _report_order_tables() -> Join:
    metrics = _OuterFirstJoin(Indicator, Metric, Metric.indicator_code == Indicator.code)
    return _OuterFirstJoin(metrics, Measurement, Measurement.metric_code == Metric.code)


def _series_tables() -> Join:
    """One series: its figures are read from the metric's index in their order, the metric and
    indicator are one row each."""
    metrics = sa.join(Measurement, Metric, Measurement.metric_code == Metric.code)
    return sa.join(metrics, Indicator, Metric.indicator_code == Indicator.code)


def _sort_key(row) -> list:
    return [
        row.indicator_position,
        row.Metric.position,
        row.Measurement.period_start,
        row.Measurement.period_end,
        row.Measurement.id,
    ]


def _one_series(metric: list[str] | None) -> bool:
    """Whether the figures are of one metric: its indicator's and metric's positions are then
    the same on every row."""
    return metric is not None and len(set(metric)) == 1


def list_measurements(
    session: Session,
    *,
    perspective: list[str] | None = None,
    indicator: list[str] | None = None,
    metric: list[str] | None = None,
    year: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    status: list[str] | None = None,
    page_size: int,
    cursor: str | None,
) -> Page[MeasurementView]:
    statement = sa.select(
        Measurement, Metric, Indicator.position.label("indicator_position")
    ).select_from(_series_tables() if _one_series(metric) else _report_order_tables())
    if perspective is not None:
        statement = statement.where(
            Indicator.perspective_code.in_(perspective_codes(session, perspective))
        )
    if indicator is not None:
        statement = statement.where(Metric.indicator_code.in_(indicator))
    if metric is not None:
        statement = statement.where(Metric.code.in_(metric))
    low, high = year_bounds(year, year_from, year_to)
    statement = statement.where(*measurement_covers_years(low, high))
    if status is not None:
        statement = statement.where(Measurement.status.in_(status))
    page = paginate(
        session,
        statement,
        sort_columns=MEASUREMENT_ORDER,
        sort_key=_sort_key,
        constant_leading=2 if _one_series(metric) else 0,
        page_size=page_size,
        cursor=cursor,
    )
    return Page(
        items=[
            MeasurementView(measurement=row.Measurement, metric=row.Metric) for row in page.items
        ],
        next_cursor=page.next_cursor,
    )


def all_measurements(session: Session) -> list[MeasurementView]:
    """Every measurement in series order, in one query (for the export)."""
    return list(stream_measurements(session))


def stream_measurements(session: Session, batch: int | None = None) -> Iterator[MeasurementView]:
    """Every measurement in series order, in one query, fetched `batch` rows at a time."""
    query = (
        sa.select(Measurement, Metric)
        .join(Metric, Measurement.metric_code == Metric.code)
        .join(Indicator, Metric.indicator_code == Indicator.code)
        .order_by(*MEASUREMENT_ORDER)
    )
    if batch is not None:
        query = query.execution_options(yield_per=batch)
    for measurement, metric in session.execute(query):
        yield MeasurementView(measurement=measurement, metric=metric)


def list_metric_measurements(
    session: Session,
    code: str,
    *,
    year: int | None,
    year_from: int | None,
    year_to: int | None,
    status: list[str] | None,
    page_size: int,
    cursor: str | None,
) -> Page[MeasurementView]:
    require_metric_record(session, code)
    return list_measurements(
        session,
        metric=[code],
        year=year,
        year_from=year_from,
        year_to=year_to,
        status=status,
        page_size=page_size,
        cursor=cursor,
    )
