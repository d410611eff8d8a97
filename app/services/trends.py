"""A metric's trend: its latest numeric measurement against the previous comparable one.

Comparable means the same kind of period of the same length: a school year with an earlier
school year, a five-year window with an earlier five-year window, a year with an earlier year.
Whether the move is `better` or `worse` follows the metric's `polarity`, an editorial reading
(seed/polarity.tsv); without a polarity there is no assessment.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.models import Measurement, Metric
from app.schemas import Assessment, Direction

TENTH = Decimal("0.1")
# Enough digits for any quotient of two doubles, to a tenth (about 10**632).
MAX_DIGITS = 700


@dataclass(frozen=True)
class Trend:
    latest: Measurement
    previous: Measurement
    change: float
    change_percent: float | None
    direction: Direction
    assessment: Assessment | None

    @property
    def provisional(self) -> bool:
        return "provisional" in (self.latest.status, self.previous.status)


def _comparable(first: Measurement, second: Measurement) -> bool:
    return first.period_type == second.period_type and (
        first.period_end - first.period_start == second.period_end - second.period_start
    )


def comparable_in_sql(first, second) -> ColumnElement[bool]:
    """`_comparable` as a condition on two aliases of the measurement table."""
    return sa.and_(
        first.period_type == second.period_type,
        first.period_end - first.period_start == second.period_end - second.period_start,
    )


def _decimal(value: float) -> Decimal:
    # The shortest text that reads back as the stored float: 3.2, not 3.2000000000000002.
    return Decimal(repr(value))


def _assessment(direction: Direction, polarity: str | None) -> Assessment | None:
    if polarity is None:
        return None
    if direction == "flat":
        return "unchanged"
    rising_is_better = polarity == "higherIsBetter"
    return "better" if (direction == "up") == rising_is_better else "worse"


def _percent(change: Decimal, previous: float) -> float | None:
    """The change in percent of the previous value, rounded half away from zero as people round
    (-6.25 % is -6.3 %); None from zero, or where the percentage is beyond a double."""
    if previous == 0:
        return None
    with localcontext(prec=MAX_DIGITS):
        percent = float((change / _decimal(previous) * 100).quantize(TENTH, ROUND_HALF_UP))
    return percent if math.isfinite(percent) else None


def metric_trend(metric: Metric, measurements: list[Measurement]) -> Trend | None:
    """The trend of one metric from its measurements (any order); None when the series has no
    two comparable numeric values."""
    numeric = sorted(
        (item for item in measurements if item.value is not None),
        key=lambda item: (item.period_start, item.period_end, item.id or 0),
    )
    if len(numeric) < 2:
        return None
    latest = numeric[-1]
    previous = next(
        (
            item
            for item in reversed(numeric[:-1])
            if item.period_start < latest.period_start and _comparable(item, latest)
        ),
        None,
    )
    if previous is None:
        return None
    change = _decimal(latest.value) - _decimal(previous.value)
    if not math.isfinite(float(change)):
        return None  # any two doubles are valid values; their difference may not be one
    direction: Direction = "up" if change > 0 else "down" if change < 0 else "flat"
    return Trend(
        latest=latest,
        previous=previous,
        change=float(change),
        change_percent=_percent(change, previous.value),
        direction=direction,
        assessment=_assessment(direction, metric.polarity),
    )
