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
from app.services.trends import Trend, comparable_in_sql, metric_trend


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


def _newest_first(measurement) -> tuple:
    return (
        measurement.period_start.desc(),
        measurement.period_end.desc(),
        measurement.id.desc(),
    )


def _measurements_of(
    session: Session, metrics: list[Metric], year: int | None
) -> dict[str, list[MeasurementView]]:
    """The latest EMBEDDED_MEASUREMENTS figures of each metric (of `year`, if given), oldest
    first: an embedded series stays one page however long the history grows; the whole series
    is the metric's `measurements` collection.

    One limited walk of the metric's index per metric (a few per indicator), joined in one
    statement: a window function over the series would read its whole history to keep a page,
    and a join on a computed cutoff leaves the planner free to scan the table."""
    by_code = {metric.code: metric for metric in metrics}
    pages = [
        sa.select(Measurement.id)
        .where(Measurement.metric_code == code, *measurement_covers_years(year, year))
        .order_by(*_newest_first(Measurement))
        .limit(EMBEDDED_MEASUREMENTS)
        .subquery()
        for code in by_code
    ]
    # An indicator without metrics asks too (an empty page), so every answer costs alike.
    embedded = sa.union_all(
        sa.select(Measurement.id).where(sa.false()),
        *(sa.select(page.c.id) for page in pages),
    )
    statement = (
        select(Measurement)
        .where(Measurement.id.in_(embedded))
        .order_by(Measurement.period_start, Measurement.period_end, Measurement.id)
    )
    result: dict[str, list[MeasurementView]] = {code: [] for code in by_code}
    for measurement in session.exec(statement):
        result[measurement.metric_code].append(
            MeasurementView(measurement=measurement, metric=by_code[measurement.metric_code])
        )
    return result


def _trends_of(session: Session, metrics: list[Metric]) -> dict[str, Trend | None]:
    """Each metric's trend, from the only two figures it compares: the latest numeric figure
    and the newest numeric one of an earlier, comparable period (same kind and length). Both
    are found by walking the metric's index newest first, so the cost does not grow with the
    history."""
    latest_numeric = sa.orm.aliased(Measurement)
    latest_id = (
        sa.select(latest_numeric.id)
        .where(latest_numeric.metric_code == Metric.code, latest_numeric.value.is_not(None))
        .order_by(*_newest_first(latest_numeric))
        .limit(1)
        .scalar_subquery()
    )
    latests = (
        sa.select(latest_id.label("latest_id"))
        .where(Metric.code.in_([metric.code for metric in metrics]))
        .subquery()
    )
    latest, earlier = sa.orm.aliased(Measurement), sa.orm.aliased(Measurement)
    previous_id = (
        sa.select(earlier.id)
        .where(
            earlier.metric_code == latest.metric_code,
            earlier.value.is_not(None),
            earlier.period_start < latest.period_start,
            comparable_in_sql(earlier, latest),
        )
        .order_by(*_newest_first(earlier))
        .limit(1)
        .scalar_subquery()
    )
    pairs = (
        sa.select(latest.id.label("latest_id"), previous_id.label("previous_id"))
        .join(latests, latests.c.latest_id == latest.id)
        .cte("trend_pairs")
    )
    compared = sa.union(sa.select(pairs.c.latest_id), sa.select(pairs.c.previous_id))
    numeric: dict[str, list[Measurement]] = {metric.code: [] for metric in metrics}
    for measurement in session.exec(select(Measurement).where(Measurement.id.in_(compared))):
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
