"""Progress summaries: how many goals are in each state, overall and per perspective, at a date.

The counts are those of /v1/goals with the same filters: a goal is counted under the progress of
its latest status dated up to the day (superseded entries are never latest, see
`goals.latest_status_id`), and under `none` when it has no status at that day or its status
carries no progress reading. Counting happens in the database, grouped by perspective and
progress (and, for the history, by day): the work grows with the report dates, not the goals.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.models import Goal, Perspective, StatusUpdate
from app.services.filters import names_perspective
from app.services.goals import latest_status_id

PROGRESS_VALUES = ("achieved", "inProgress", "delayed", "discontinued", "seeOther")
NO_PROGRESS = "none"


def empty_counts() -> dict[str, int]:
    return {value: 0 for value in (*PROGRESS_VALUES, NO_PROGRESS)}


@dataclass
class PerspectiveProgress:
    perspective: Perspective
    progress: dict[str, int] = field(default_factory=empty_counts)

    @property
    def goals(self) -> int:
        return sum(self.progress.values())


@dataclass
class Summary:
    # The day the counts describe: the one asked for, else the latest status date.
    as_of: date | None
    perspective_filter: list[str] | None
    perspectives: list[PerspectiveProgress]
    # False for the current state: its links then follow the state rather than pin the day.
    pinned: bool = True

    @property
    def progress(self) -> dict[str, int]:
        totals = empty_counts()
        for item in self.perspectives:
            for value, count in item.progress.items():
                totals[value] += count
        return totals

    @property
    def goals(self) -> int:
        return sum(item.goals for item in self.perspectives)


def _perspectives(session: Session, perspective: list[str] | None) -> list[Perspective]:
    """All perspectives, or those the filter names (by code or slug), in one query; as for
    /v1/goals, a value of the documented form that names none matches nothing."""
    statement = select(Perspective).order_by(Perspective.code)
    if perspective is not None:
        statement = statement.where(names_perspective(perspective))
    return list(session.exec(statement))


def _current_entries() -> sa.ColumnElement[bool]:
    correction = aliased(StatusUpdate)
    return ~sa.exists().where(correction.supersedes_id == StatusUpdate.id)


def _summary(
    as_of: date | None,
    perspective_filter: list[str] | None,
    perspectives: list[Perspective],
    rows: Iterable[tuple[str, str | None, int]],
) -> Summary:
    by_code = {record.code: PerspectiveProgress(record) for record in perspectives}
    for perspective_code, progress, count in rows:
        by_code[perspective_code].progress[progress or NO_PROGRESS] += count
    return Summary(as_of, perspective_filter, list(by_code.values()))


def _counts_statement(perspective_codes: list[str], day=None, days=None) -> sa.Select:
    """(perspective, progress, goals) of the goals of these perspectives as they were on `day`
    (None: now), or on each day of the `days` subquery (then grouped by its `day` too)."""
    latest = aliased(StatusUpdate)
    statement = (
        sa.select(Goal.perspective_code, latest.progress, sa.func.count())
        .select_from(Goal if days is None else days)
        .where(Goal.perspective_code.in_(perspective_codes))
        .group_by(Goal.perspective_code, latest.progress)
    )
    if days is not None:
        day = days.c.day
        statement = statement.join(Goal, sa.true()).add_columns(day).group_by(day).order_by(day)
    return statement.outerjoin(latest, latest.id == latest_status_id(Goal.code, day))


def get_summary(session: Session, *, perspective: list[str] | None, as_of: date | None) -> Summary:
    perspectives = _perspectives(session, perspective)
    codes = [record.code for record in perspectives]
    if as_of is not None:
        rows = session.execute(_counts_statement(codes, day=as_of)).all()
        return _summary(as_of, perspective, perspectives, rows)
    # The current state is the state on the latest status date; read that date in the same
    # query (a constant number of statements per request).
    latest_day = (
        sa.select(sa.func.max(StatusUpdate.as_of)).where(_current_entries()).scalar_subquery()
    )
    rows = session.execute(_counts_statement(codes).add_columns(latest_day)).all()
    day = rows[0][3] if rows else None
    current = _summary(day, perspective, perspectives, [row[:3] for row in rows])
    current.pinned = False
    return current


def get_history(session: Session, *, perspective: list[str] | None) -> list[Summary]:
    """The summary on every day a (current) status is dated, oldest first."""
    perspectives = _perspectives(session, perspective)
    codes = [record.code for record in perspectives]
    days = (
        sa.select(StatusUpdate.as_of.label("day"))
        .where(_current_entries())
        .distinct()
        .subquery("days")
    )
    statement = _counts_statement(codes, days=days)
    by_day: dict[date, list[tuple[str, str | None, int]]] = {}
    for perspective_code, progress, count, day in session.execute(statement):
        by_day.setdefault(day, []).append((perspective_code, progress, count))
    return [_summary(day, perspective, perspectives, rows) for day, rows in sorted(by_day.items())]


def progress_by_perspective(session: Session, codes: list[str]) -> dict[str, dict[str, int]]:
    """The current counts of each of these perspectives' goals."""
    counts = {code: empty_counts() for code in codes}
    for perspective_code, progress, count in session.execute(_counts_statement(codes)):
        counts[perspective_code][progress or NO_PROGRESS] += count
    return counts
