"""The flat measurement table, and one metric's series."""

import sqlalchemy as sa
from sqlmodel import Session

from app.models import Indicator, Measurement, Metric
from app.services.filters import (
    measurement_covers_years,
    require_indicator,
    require_metric,
    resolve_perspective_code,
    year_bounds,
)
from app.services.indicators import MeasurementView, require_metric_record
from app.services.paging import Page, paginate

# Series order: report order of indicator and metric, then chronological by period.
_SORT_COLUMNS = [
    Indicator.position,
    Metric.position,
    Measurement.period_start,
    Measurement.period_end,
    Measurement.id,
]


def _sort_key(row) -> list:
    return [
        row.indicator_position,
        row.Metric.position,
        row.Measurement.period_start,
        row.Measurement.period_end,
        row.Measurement.id,
    ]


def list_measurements(
    session: Session,
    *,
    perspective: str | None = None,
    indicator: str | None = None,
    metric: str | None = None,
    year: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    status: str | None = None,
    page_size: int,
    cursor: str | None,
    collection: str = "measurements",
) -> Page[MeasurementView]:
    statement = (
        sa.select(Measurement, Metric, Indicator.position.label("indicator_position"))
        .join(Metric, Measurement.metric_code == Metric.code)
        .join(Indicator, Metric.indicator_code == Indicator.code)
    )
    if perspective is not None:
        code = resolve_perspective_code(session, perspective, "perspective")
        statement = statement.where(Indicator.perspective_code == code)
    if indicator is not None:
        statement = statement.where(
            Metric.indicator_code == require_indicator(session, indicator, "indicator")
        )
    if metric is not None:
        statement = statement.where(Metric.code == require_metric(session, metric, "metric"))
    low, high = year_bounds(year, year_from, year_to)
    statement = statement.where(*measurement_covers_years(low, high))
    if status is not None:
        statement = statement.where(Measurement.status == status)
    page = paginate(
        session,
        statement,
        collection=collection,
        sort_columns=_SORT_COLUMNS,
        sort_key=_sort_key,
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
    rows = session.execute(
        sa.select(Measurement, Metric)
        .join(Metric, Measurement.metric_code == Metric.code)
        .join(Indicator, Metric.indicator_code == Indicator.code)
        .order_by(*_SORT_COLUMNS)
    )
    return [MeasurementView(measurement=measurement, metric=metric) for measurement, metric in rows]


def list_metric_measurements(
    session: Session,
    code: str,
    *,
    year: int | None,
    year_from: int | None,
    year_to: int | None,
    status: str | None,
    page_size: int,
    cursor: str | None,
) -> Page[MeasurementView]:
    require_metric_record(session, code)
    return list_measurements(
        session,
        metric=code,
        year=year,
        year_from=year_from,
        year_to=year_to,
        status=status,
        page_size=page_size,
        cursor=cursor,
        collection=f"measurements:{code}",
    )
