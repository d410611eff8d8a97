"""Indicators, their metrics (series) and the measurements of each series."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from app.core.errors import NotFoundError
from app.models import Indicator, Measurement, Metric
from app.services.filters import (
    is_plausible_code,
    measurement_covers_years,
    perspective_codes,
)
from app.services.paging import Page, paginate
from app.services.trends import Trend, metric_trend


def effective_source(source: str | None, metric_source: str | None) -> str | None:
    """A figure's source as the API shows it: its own, else its metric's."""
    return source or metric_source


def stored_source(source: str | None, metric_source: str | None) -> str | None:
    """A figure's source as it is stored: only where it differs from its metric's (as the seed
    records it), so one figure cannot exist twice, under the metric's source and spelt out."""
    return None if source is None or source == metric_source else source


@dataclass
class MeasurementView:
    measurement: Measurement
    metric: Metric

    @property
    def source(self) -> str | None:
        return effective_source(self.measurement.source, self.metric.source)


@dataclass
class MetricView:
    metric: Metric
    # None when the measurements were not asked for (summaries in a collection).
    measurements: list[MeasurementView] | None = None
    # Latest against previous comparable value, from the whole series (whatever `year` says).
    trend: Trend | None = None


@dataclass
class IndicatorView:
    indicator: Indicator
    metrics: list[MetricView] = field(default_factory=list)


# Figures embedded in an indicator or metric resource: one page, the latest.
EMBEDDED_MEASUREMENTS = 100


def _measurements_of(
    session: Session, metrics: list[Metric], year: int | None
) -> dict[str, list[MeasurementView]]:
    """The latest EMBEDDED_MEASUREMENTS figures of each metric (of `year`, if given), oldest
    first: an embedded series stays one page however long the history grows; the whole series
    is the metric's `measurements` collection."""
    by_code = {metric.code: metric for metric in metrics}
    newest_first = sa.func.row_number().over(
        partition_by=Measurement.metric_code,
        order_by=(
            Measurement.period_start.desc(),
            Measurement.period_end.desc(),
            Measurement.id.desc(),
        ),
    )
    ranked = (
        sa.select(Measurement.id, newest_first.label("rank"))
        .where(Measurement.metric_code.in_(list(by_code)))
        .where(*measurement_covers_years(year, year))
        .subquery()
    )
    statement = (
        select(Measurement)
        .join(ranked, ranked.c.id == Measurement.id)
        .where(ranked.c.rank <= EMBEDDED_MEASUREMENTS)
        .order_by(Measurement.period_start, Measurement.period_end, Measurement.id)
    )
    result: dict[str, list[MeasurementView]] = {code: [] for code in by_code}
    for measurement in session.exec(statement):
        result[measurement.metric_code].append(
            MeasurementView(measurement=measurement, metric=by_code[measurement.metric_code])
        )
    return result


def _trends_of(session: Session, metrics: list[Metric]) -> dict[str, Trend | None]:
    """Each metric's trend, from only the figures a trend can use: per kind and length of
    period, the numeric figures of its two latest periods (the latest figure, and the previous
    comparable one, are among them), so the cost does not grow with the history."""
    numeric: dict[str, list[Measurement]] = {metric.code: [] for metric in metrics}
    latest_periods_first = sa.func.dense_rank().over(
        partition_by=(
            Measurement.metric_code,
            Measurement.period_type,
            Measurement.period_end - Measurement.period_start,
        ),
        order_by=Measurement.period_start.desc(),
    )
    ranked = (
        sa.select(Measurement.id, latest_periods_first.label("rank"))
        .where(Measurement.metric_code.in_(list(numeric)), Measurement.value.is_not(None))
        .subquery()
    )
    statement = select(Measurement).join(ranked, ranked.c.id == Measurement.id)
    for measurement in session.exec(statement.where(ranked.c.rank <= 2)):
        numeric[measurement.metric_code].append(measurement)
    return {metric.code: metric_trend(metric, numeric[metric.code]) for metric in metrics}


def _metric_views(
    session: Session, metrics: list[Metric], *, with_measurements: bool, year: int | None = None
) -> list[MetricView]:
    trends = _trends_of(session, metrics)
    if not with_measurements:
        return [MetricView(metric=m, trend=trends[m.code]) for m in metrics]
    measurements = _measurements_of(session, metrics, year)
    return [
        MetricView(metric=m, measurements=measurements[m.code], trend=trends[m.code])
        for m in metrics
    ]


def _metrics_of(session: Session, indicator_codes: list[str]) -> list[Metric]:
    return list(
        session.exec(
            select(Metric)
            .join(Indicator)
            .where(Metric.indicator_code.in_(indicator_codes))
            .order_by(Indicator.position, Metric.position)
        )
    )


INDICATOR_ORDER = [Indicator.position]
METRIC_ORDER = [Indicator.position, Metric.position]


def list_indicators(
    session: Session,
    *,
    perspective: list[str] | None,
    year: int | None,
    page_size: int,
    cursor: str | None,
) -> Page[IndicatorView]:
    statement = sa.select(Indicator)
    if perspective is not None:
        statement = statement.where(
            Indicator.perspective_code.in_(perspective_codes(session, perspective))
        )
    if year is not None:
        statement = statement.where(
            sa.exists()
            .where(Metric.indicator_code == Indicator.code)
            .where(Measurement.metric_code == Metric.code)
            .where(*measurement_covers_years(year, year))
        )
    page = paginate(
        session,
        statement,
        sort_columns=INDICATOR_ORDER,
        sort_key=lambda row: [row.Indicator.position],
        page_size=page_size,
        cursor=cursor,
    )
    indicators = [row.Indicator for row in page.items]
    metrics = _metric_views(
        session,
        _metrics_of(session, [indicator.code for indicator in indicators]),
        with_measurements=False,
    )
    views = [
        IndicatorView(
            indicator=indicator,
            metrics=[view for view in metrics if view.metric.indicator_code == indicator.code],
        )
        for indicator in indicators
    ]
    return Page(items=views, next_cursor=page.next_cursor)


def get_indicator(session: Session, code: str, *, year: int | None) -> IndicatorView:
    indicator = session.get(Indicator, code) if is_plausible_code(code) else None
    if indicator is None:
        raise NotFoundError(f"No indicator with code '{code}'")
    metrics = _metrics_of(session, [code])
    return IndicatorView(
        indicator=indicator,
        metrics=_metric_views(session, metrics, with_measurements=True, year=year),
    )


def list_metrics(
    session: Session,
    *,
    perspective: list[str] | None,
    indicator: list[str] | None,
    page_size: int,
    cursor: str | None,
    assessment: list[str] | None = None,
) -> Page[MetricView]:
    statement = sa.select(Metric, Indicator.position).join(Indicator)
    if perspective is not None:
        statement = statement.where(
            Indicator.perspective_code.in_(perspective_codes(session, perspective))
        )
    if indicator is not None:
        statement = statement.where(Metric.indicator_code.in_(indicator))
    if assessment is not None:
        statement = statement.where(Metric.code.in_(_codes_assessed(session, assessment)))
    page = paginate(
        session,
        statement,
        sort_columns=METRIC_ORDER,
        sort_key=lambda row: [row.position, row.Metric.position],
        page_size=page_size,
        cursor=cursor,
    )
    return Page(
        items=_metric_views(session, [row.Metric for row in page.items], with_measurements=False),
        next_cursor=page.next_cursor,
    )


def _codes_assessed(session: Session, assessment: list[str]) -> list[str]:
    """The metrics whose trend has this assessment. A trend is computed from the series, so the
    filter reads every metric's numeric values (a few hundred rows) in one query."""
    trends = _trends_of(session, list(session.exec(select(Metric))))
    return [code for code, trend in trends.items() if trend and trend.assessment in assessment]


def require_metric_record(session: Session, code: str) -> Metric:
    metric = session.get(Metric, code) if is_plausible_code(code) else None
    if metric is None:
        raise NotFoundError(f"No metric with code '{code}'")
    return metric


def get_metric(session: Session, code: str, *, year: int | None) -> MetricView:
    metric = require_metric_record(session, code)
    return _metric_views(session, [metric], with_measurements=True, year=year)[0]
