"""Targets: the measurable levels and deadlines that goal and status texts state, each beside
the latest figure of the metric that measures it (where the report has one)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from app.models import Goal, Measurement, Metric, Target
from app.services.filters import perspective_codes
from app.services.paging import Page, paginate

TARGET_ORDER = [Goal.position, Target.position]


@dataclass
class TargetView:
    target: Target
    # The metric's latest measurement with a number, and the metric's unit.
    latest: Measurement | None = None
    metric_unit: str | None = None

    @property
    def progress_to_target(self) -> float | None:
        """The latest value as a fraction of the target value; only where both are numbers in
        the same unit (a ratio of figures in different units means nothing)."""
        target = self.target
        if self.latest is None or target.value in (None, 0) or target.unit != self.metric_unit:
            return None
        return self.latest.value / target.value


def list_targets(
    session: Session,
    *,
    perspective: list[str] | None = None,
    goal: list[str] | None = None,
    year: int | None = None,
    has_metric: bool | None = None,
    page_size: int,
    cursor: str | None,
) -> Page[TargetView]:
    """Targets in report order of their goals; `year` selects on the year of the deadline."""
    statement = sa.select(Target, Goal.position).join(Goal, Goal.code == Target.goal_code)
    if perspective is not None:
        statement = statement.where(
            Goal.perspective_code.in_(perspective_codes(session, perspective))
        )
    if goal is not None:
        statement = statement.where(Target.goal_code.in_(goal))
    if year is not None:
        statement = statement.where(
            Target.deadline >= date(year, 1, 1), Target.deadline <= date(year, 12, 31)
        )
    if has_metric is not None:
        has = Target.metric_code.is_not(None)
        statement = statement.where(has if has_metric else sa.not_(has))
    page = paginate(
        session,
        statement,
        sort_columns=TARGET_ORDER,
        sort_key=lambda row: [row.position, row.Target.position],
        page_size=page_size,
        cursor=cursor,
    )
    return Page(
        items=views(session, [row.Target for row in page.items]), next_cursor=page.next_cursor
    )


def targets_of_goal(session: Session, code: str) -> list[TargetView]:
    rows = session.exec(select(Target).where(Target.goal_code == code).order_by(Target.position))
    return views(session, list(rows))


def views(session: Session, targets: list[Target]) -> list[TargetView]:
    metric_codes = {target.metric_code for target in targets if target.metric_code}
    if not metric_codes:
        return [TargetView(target) for target in targets]
    units = {
        code: unit
        for code, unit in session.execute(
            sa.select(Metric.code, Metric.unit).where(Metric.code.in_(metric_codes))
        )
    }
    latest = _latest_measurements(session, metric_codes)
    return [
        TargetView(target, latest.get(target.metric_code), units.get(target.metric_code))
        for target in targets
    ]


def _latest_measurements(session: Session, metric_codes: set[str]) -> dict[str, Measurement]:
    """Each metric's latest measurement that has a number (latest period end, then start)."""
    rows = session.exec(
        select(Measurement)
        .where(Measurement.metric_code.in_(metric_codes), Measurement.value.is_not(None))
        .order_by(
            Measurement.period_end.desc(), Measurement.period_start.desc(), Measurement.id.desc()
        )
    )
    latest: dict[str, Measurement] = {}
    for row in rows:
        latest.setdefault(row.metric_code, row)
    return latest
