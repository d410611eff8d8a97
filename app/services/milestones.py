"""Milestones: the dated steps printed in status texts, as one timeline."""

from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session

from app.models import Goal, Milestone
from app.services.filters import perspective_codes, year_bounds
from app.services.goals import require_goal
from app.services.paging import Page, paginate


class MilestoneFields(Protocol):
    date: date
    date_precision: str
    kind: str
    body: str | None
    quote: str


def milestone_row(milestone: MilestoneFields) -> dict:
    """The columns of a milestone besides its goal, status and position."""
    return {
        "date_start": milestone.date,
        "date_precision": milestone.date_precision,
        "kind": milestone.kind,
        "body": milestone.body,
        "quote": milestone.quote,
    }


def add_milestones(
    session: Session, goal_code: str, status_id: int, milestones: list[MilestoneFields]
) -> None:
    """Record the milestones a new status prints (inside the caller's transaction)."""
    for position, milestone in enumerate(milestones, start=1):
        session.add(
            Milestone(
                goal_code=goal_code,
                status_id=status_id,
                position=position,
                **milestone_row(milestone),
            )
        )


MILESTONE_ORDER = [Milestone.date_start, Milestone.id]


def list_milestones(
    session: Session,
    *,
    perspective: list[str] | None = None,
    goal: list[str] | None = None,
    year: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    kind: list[str] | None = None,
    body: list[str] | None = None,
    page_size: int,
    cursor: str | None,
) -> Page[Milestone]:
    """Milestones ordered by date (a month or a year dates from its first day), then as added.
    `year`, `yearFrom` and `yearTo` select on the year of the date."""
    statement = sa.select(Milestone)
    if perspective is not None:
        statement = statement.join(Goal, Goal.code == Milestone.goal_code).where(
            Goal.perspective_code.in_(perspective_codes(session, perspective))
        )
    if goal is not None:
        statement = statement.where(Milestone.goal_code.in_(goal))
    low, high = year_bounds(year, year_from, year_to)
    if low is not None:
        statement = statement.where(Milestone.date_start >= date(low, 1, 1))
    if high is not None:
        statement = statement.where(Milestone.date_start <= date(high, 12, 31))
    if kind is not None:
        statement = statement.where(Milestone.kind.in_(kind))
    if body is not None:
        statement = statement.where(Milestone.body.in_(body))
    return _page(session, statement, page_size, cursor)


def list_goal_milestones(
    session: Session, code: str, *, page_size: int, cursor: str | None
) -> Page[Milestone]:
    require_goal(session, code)
    statement = sa.select(Milestone).where(Milestone.goal_code == code)
    return _page(session, statement, page_size, cursor)


def _page(
    session: Session, statement: sa.Select, page_size: int, cursor: str | None
) -> Page[Milestone]:
    page = paginate(
        session,
        statement,
        sort_columns=MILESTONE_ORDER,
        sort_key=lambda row: [row.Milestone.date_start, row.Milestone.id],
        page_size=page_size,
        cursor=cursor,
    )
    return Page(items=[row.Milestone for row in page.items], next_cursor=page.next_cursor)
