from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from app.api import presenters
from app.api.deps import (
    GoalPath,
    PerspectiveFilter,
    ProgressFilter,
    SessionDep,
    TextLimitsDep,
    UrlsDep,
    Year,
    paging_query,
)
from app.api.json_body import read_json_body
from app.api.security import WriterDep
from app.api.write_docs import NO_STORE_HEADER, json_request_body, problem_responses
from app.core.periods import MAX_YEAR, MIN_YEAR
from app.core.representations import RepresentationRoute
from app.schemas import (
    MAX_ID,
    GoalCollection,
    GoalOut,
    IsoDate,
    MilestoneCollection,
    StatusCollection,
    StatusUpdateIn,
    StatusUpdateOut,
)
from app.services import goals, milestones, status_writes

router = APIRouter(prefix="/goals", tags=["goals"], route_class=RepresentationRoute)

StatusYear = Annotated[
    int | None,
    Query(ge=MIN_YEAR, le=MAX_YEAR, description="Goals with a status update in this year."),
]
AsOf = Annotated[
    IsoDate | None,
    Query(
        alias="asOf",
        description="Time travel (`YYYY-MM-DD`): each goal with its latest status dated up to "
        "this day (superseded entries are never latest). `progress` then filters on that status. "
        "From 1900-01-01.",
    ),
]


@router.get("", response_model=GoalCollection, summary="List goals in report order")
def list_goals(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(goals.GOAL_ORDER),
    perspective: PerspectiveFilter = None,
    year: StatusYear = None,
    progress: ProgressFilter = None,
    as_of: AsOf = None,
) -> GoalCollection:
    page = goals.list_goals(
        session,
        perspective=perspective,
        year=year,
        progress=progress,
        page_size=paging.page_size,
        cursor=paging.cursor,
        as_of=as_of,
    )
    return presenters.collection(urls, page, presenters.goal, GoalCollection)


@router.get(
    "/{code}", response_model=GoalOut, summary="One goal with its latest status and its targets"
)
def get_goal(code: GoalPath, session: SessionDep, urls: UrlsDep, as_of: AsOf = None) -> GoalOut:
    return presenters.goal(urls, goals.get_goal(session, code, as_of))


@router.get(
    "/{code}/statuses",
    response_model=StatusCollection,
    summary="A goal's whole status history, oldest first, superseded entries included",
)
def list_goal_statuses(
    code: GoalPath,
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(goals.STATUS_ORDER),
    year: Year = None,
) -> StatusCollection:
    page = goals.list_statuses(
        session, code, year=year, page_size=paging.page_size, cursor=paging.cursor
    )
    return presenters.collection(urls, page, presenters.status_update, StatusCollection)


@router.get(
    "/{code}/milestones",
    response_model=MilestoneCollection,
    summary="A goal's milestones (dated steps of its statuses), ordered by date",
)
def list_goal_milestones(
    code: GoalPath,
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(milestones.MILESTONE_ORDER),
) -> MilestoneCollection:
    page = milestones.list_goal_milestones(
        session, code, page_size=paging.page_size, cursor=paging.cursor
    )
    return presenters.collection(urls, page, presenters.milestone, MilestoneCollection)


@router.post(
    "/{code}/statuses",
    status_code=201,
    response_model=StatusUpdateOut,
    summary="Append a status update (or a correction that supersedes an earlier one)",
    openapi_extra=json_request_body(StatusUpdateIn),
    responses={
        201: {
            "description": "Stored; `Location` is the new entry's URL.",
            "headers": {
                "Location": {"description": "URL of the new entry.", "schema": {"type": "string"}},
                **NO_STORE_HEADER,
            },
        },
        **problem_responses(400, 401, 403, 404, 409, 413, 415),
    },
)
def create_goal_status(
    code: GoalPath,
    writer: WriterDep,
    session: SessionDep,
    urls: UrlsDep,
    response: Response,
    text_limits: TextLimitsDep,
    body: Annotated[bytes, Depends(read_json_body)],
) -> StatusUpdateOut:
    view = status_writes.append_status_from_request(
        session, code, body, author=writer.name, text_limits=text_limits
    )
    stored = presenters.status_update(urls, view)
    response.headers["Location"] = stored.links_.self_.href
    return stored


@router.get(
    "/{code}/statuses/{id}",
    response_model=StatusUpdateOut,
    summary="One status update of a goal",
)
def get_goal_status(
    code: GoalPath,
    status_id: Annotated[int, Path(alias="id", ge=1, le=MAX_ID)],
    session: SessionDep,
    urls: UrlsDep,
) -> StatusUpdateOut:
    return presenters.status_update(urls, goals.get_status(session, code, status_id))
