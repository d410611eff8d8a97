from typing import Annotated

from fastapi import APIRouter, Query

from app.api import presenters
from app.api.deps import (
    DEFAULT_PAGE,
    Cursor,
    PageSize,
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    Year,
)
from app.schemas import GoalCollection, GoalOut, Progress, StatusCollection
from app.services import goals

router = APIRouter(prefix="/goals", tags=["goals"])

ProgressFilter = Annotated[
    Progress | None, Query(description="Progress of the goal's latest status.")
]
StatusYear = Annotated[
    int | None, Query(ge=1900, le=2100, description="Goals with a status update in this year.")
]


@router.get("", response_model=GoalCollection, summary="List goals in report order")
def list_goals(
    session: SessionDep,
    urls: UrlsDep,
    perspective: PerspectiveFilter = None,
    year: StatusYear = None,
    progress: ProgressFilter = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> GoalCollection:
    page = goals.list_goals(
        session,
        perspective=perspective,
        year=year,
        progress=progress,
        page_size=page_size,
        cursor=cursor,
    )
    return presenters.goal_collection(urls, page)


@router.get("/{code}", response_model=GoalOut, summary="One goal with its latest status")
def get_goal(code: str, session: SessionDep, urls: UrlsDep) -> GoalOut:
    return presenters.goal(urls, goals.get_goal(session, code))


@router.get(
    "/{code}/statuses",
    response_model=StatusCollection,
    summary="A goal's status history, oldest first",
)
def list_statuses(
    code: str,
    session: SessionDep,
    urls: UrlsDep,
    year: Year = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> StatusCollection:
    page = goals.list_statuses(session, code, year=year, page_size=page_size, cursor=cursor)
    return presenters.status_collection(urls, page)
