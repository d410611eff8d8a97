"""Perspectives with summaries of their goals and indicators."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from app.core.errors import NotFoundError
from app.models import Goal, Indicator, Perspective
from app.services.filters import is_plausible_code, names_perspective
from app.services.paging import Page, paginate
from app.services.summary import progress_by_perspective


@dataclass
class PerspectiveView:
    perspective: Perspective
    goals: list[Goal]
    indicators: list[Indicator]
    # Its goals by current progress (see app/services/summary.py).
    progress: dict[str, int]


def _with_children(session: Session, perspectives: list[Perspective]) -> list[PerspectiveView]:
    codes = [perspective.code for perspective in perspectives]
    goals = session.exec(
        select(Goal).where(Goal.perspective_code.in_(codes)).order_by(Goal.position)
    ).all()
    indicators = session.exec(
        select(Indicator).where(Indicator.perspective_code.in_(codes)).order_by(Indicator.position)
    ).all()
    progress = progress_by_perspective(session, codes)
    return [
        PerspectiveView(
            perspective=perspective,
            goals=[goal for goal in goals if goal.perspective_code == perspective.code],
            indicators=[ind for ind in indicators if ind.perspective_code == perspective.code],
            progress=progress[perspective.code],
        )
        for perspective in perspectives
    ]


PERSPECTIVE_ORDER = [Perspective.code]


def list_perspectives(
    session: Session, *, page_size: int, cursor: str | None
) -> Page[PerspectiveView]:
    page = paginate(
        session,
        sa.select(Perspective),
        sort_columns=PERSPECTIVE_ORDER,
        sort_key=lambda row: [row.Perspective.code],
        page_size=page_size,
        cursor=cursor,
    )
    return Page(
        items=_with_children(session, [row.Perspective for row in page.items]),
        next_cursor=page.next_cursor,
    )


def get_perspective(session: Session, code_or_slug: str) -> PerspectiveView:
    if not is_plausible_code(code_or_slug):
        raise NotFoundError(f"No perspective with code or slug '{code_or_slug}'")
    perspective = session.exec(select(Perspective).where(names_perspective([code_or_slug]))).first()
    if perspective is None:
        raise NotFoundError(f"No perspective with code or slug '{code_or_slug}'")
    return _with_children(session, [perspective])[0]
