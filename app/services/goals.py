"""Goals, their latest status, cross-references, hyperlinks and status histories."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.core.errors import NotFoundError
from app.models import Goal, GoalCrossReference, GoalLink, StatusUpdate
from app.services.filters import calendar_year, is_plausible_code, perspective_codes
from app.services.paging import Page, paginate
from app.services.targets import TargetView, targets_of_goal


@dataclass
class StatusView:
    status: StatusUpdate
    # The id of the entry that corrects this one, if any.
    superseded_by: int | None = None


@dataclass
class GoalView:
    goal: Goal
    latest_status: StatusView | None
    cross_references: list[str]
    links: list[str]
    # Only on a single goal: its targets.
    targets: list[TargetView] | None = None


def latest_status_id(goal_code_column, as_of: date | None = None) -> sa.ScalarSelect:
    """The id of a goal's latest status: the newest `asOf` (up to `as_of` when given), and of
    equal dates the last added. A superseded entry is never the latest: its correction replaces
    it at every date (a correction fixes the record, it is not a change in the world)."""
    latest = aliased(StatusUpdate)
    correction = aliased(StatusUpdate)
    statement = sa.select(latest.id).where(
        latest.goal_code == goal_code_column,
        ~sa.exists().where(correction.supersedes_id == latest.id),
    )
    if as_of is not None:
        statement = statement.where(latest.as_of <= as_of)
    return (
        statement.order_by(latest.as_of.desc(), latest.id.desc())
        .limit(1)
        .correlate_except(latest, correction)
        .scalar_subquery()
    )


def superseding_ids(session: Session, status_ids: list[int]) -> dict[int, int]:
    """For each of these entries that has been corrected: the id of its correction."""
    if not status_ids:
        return {}
    rows = session.execute(
        sa.select(StatusUpdate.supersedes_id, StatusUpdate.id).where(
            StatusUpdate.supersedes_id.in_(status_ids)
        )
    )
    return {superseded: correction for superseded, correction in rows}


def all_corrections(session: Session) -> dict[int, int]:
    """For every entry that has been corrected: the id of its correction."""
    rows = session.execute(
        sa.select(StatusUpdate.supersedes_id, StatusUpdate.id).where(
            StatusUpdate.supersedes_id.is_not(None)
        )
    )
    return {superseded: correction for superseded, correction in rows}


def _views(session: Session, goals: list[Goal], as_of: date | None = None) -> list[GoalView]:
    codes = [goal.code for goal in goals]
    latest_ids = sa.select(latest_status_id(Goal.code, as_of)).where(Goal.code.in_(codes))
    statuses = {
        status.goal_code: status
        for status in session.exec(select(StatusUpdate).where(StatusUpdate.id.in_(latest_ids)))
    }
    references: dict[str, list[str]] = {code: [] for code in codes}
    for reference in session.exec(
        select(GoalCrossReference)
        .where(GoalCrossReference.goal_code.in_(codes))
        .order_by(GoalCrossReference.goal_code, GoalCrossReference.position)
    ):
        references[reference.goal_code].append(reference.referenced_goal_code)
    links: dict[str, list[str]] = {code: [] for code in codes}
    for link in session.exec(
        select(GoalLink)
        .where(GoalLink.goal_code.in_(codes))
        .order_by(GoalLink.goal_code, GoalLink.position)
    ):
        links[link.goal_code].append(link.url)
    return [
        GoalView(
            goal=goal,
            latest_status=StatusView(statuses[goal.code]) if goal.code in statuses else None,
            cross_references=references[goal.code],
            links=links[goal.code],
        )
        for goal in goals
    ]


GOAL_ORDER = [Goal.position]
STATUS_ORDER = [StatusUpdate.as_of, StatusUpdate.id]


def list_goals(
    session: Session,
    *,
    perspective: list[str] | None,
    year: int | None,
    progress: list[str] | None,
    page_size: int,
    cursor: str | None,
    as_of: date | None = None,
) -> Page[GoalView]:
    statement = sa.select(Goal)
    if perspective is not None:
        statement = statement.where(
            Goal.perspective_code.in_(perspective_codes(session, perspective))
        )
    if year is not None:
        first_day, last_day = calendar_year(year)
        statement = statement.where(
            sa.exists().where(
                StatusUpdate.goal_code == Goal.code,
                StatusUpdate.as_of >= first_day,
                StatusUpdate.as_of <= last_day,
            )
        )
    if progress is not None:
        # `progress` filters on the goal's current state (or its state on `as_of`).
        statement = statement.where(
            sa.exists().where(
                StatusUpdate.id == latest_status_id(Goal.code, as_of),
                StatusUpdate.progress.in_(progress),
            )
        )
    page = paginate(
        session,
        statement,
        sort_columns=GOAL_ORDER,
        sort_key=lambda row: [row.Goal.position],
        page_size=page_size,
        cursor=cursor,
    )
    return Page(
        items=_views(session, [row.Goal for row in page.items], as_of),
        next_cursor=page.next_cursor,
    )


def require_goal(session: Session, code: str) -> Goal:
    goal = session.get(Goal, code) if is_plausible_code(code) else None
    if goal is None:
        raise NotFoundError(f"No goal with code '{code}'")
    return goal


def get_goal(session: Session, code: str, as_of: date | None = None) -> GoalView:
    view = _views(session, [require_goal(session, code)], as_of)[0]
    view.targets = targets_of_goal(session, code)
    return view


def get_status(session: Session, code: str, status_id: int) -> StatusView:
    require_goal(session, code)
    status = session.get(StatusUpdate, status_id)
    if status is None or status.goal_code != code:
        raise NotFoundError(f"Goal '{code}' has no status update {status_id}")
    return StatusView(status, superseding_ids(session, [status_id]).get(status_id))


def list_statuses(
    session: Session, code: str, *, year: int | None, page_size: int, cursor: str | None
) -> Page[StatusView]:
    require_goal(session, code)
    statement = sa.select(StatusUpdate).where(StatusUpdate.goal_code == code)
    if year is not None:
        first_day, last_day = calendar_year(year)
        statement = statement.where(StatusUpdate.as_of >= first_day, StatusUpdate.as_of <= last_day)
    page = paginate(
        session,
        statement,
        sort_columns=STATUS_ORDER,
        sort_key=lambda row: [row.StatusUpdate.as_of, row.StatusUpdate.id],
        page_size=page_size,
        cursor=cursor,
    )
    statuses = [row.StatusUpdate for row in page.items]
    corrections = superseding_ids(session, [status.id for status in statuses])
    return Page(
        items=[StatusView(status, corrections.get(status.id)) for status in statuses],
        next_cursor=page.next_cursor,
    )
