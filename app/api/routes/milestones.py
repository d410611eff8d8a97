from typing import Annotated

from fastapi import APIRouter, Query

from app.api import presenters
from app.api.deps import DEFAULT_PAGE, Cursor, PageSize, PerspectiveFilter, SessionDep, UrlsDep
from app.core.representations import RepresentationRoute
from app.schemas import MilestoneBody, MilestoneCollection, MilestoneKind
from app.services import milestones

router = APIRouter(prefix="/milestones", tags=["milestones"], route_class=RepresentationRoute)

GoalFilter = Annotated[str | None, Query(description="Goal code, e.g. `C4`.")]
MilestoneYear = Annotated[
    int | None, Query(ge=1900, le=2100, description="Milestones dated in this year.")
]
MilestoneYearFrom = Annotated[
    int | None,
    Query(
        alias="yearFrom", ge=1900, le=2100, description="Milestones dated in or after this year."
    ),
]
MilestoneYearTo = Annotated[
    int | None,
    Query(alias="yearTo", ge=1900, le=2100, description="Milestones dated in or before this year."),
]
KindFilter = Annotated[MilestoneKind | None, Query(description="Kind of step.")]
BodyFilter = Annotated[
    MilestoneBody | None, Query(description="Body that takes the step (or is briefed).")
]


@router.get(
    "",
    response_model=MilestoneCollection,
    summary="The dated steps printed in the status texts, ordered by date",
    description="A date known to a month or a year sorts at its first day. Every milestone "
    "quotes the status it comes from; `kind` and `body` are editorial readings of that quote.",
)
def list_milestones(
    session: SessionDep,
    urls: UrlsDep,
    perspective: PerspectiveFilter = None,
    goal: GoalFilter = None,
    year: MilestoneYear = None,
    year_from: MilestoneYearFrom = None,
    year_to: MilestoneYearTo = None,
    kind: KindFilter = None,
    body: BodyFilter = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> MilestoneCollection:
    page = milestones.list_milestones(
        session,
        perspective=perspective,
        goal=goal,
        year=year,
        year_from=year_from,
        year_to=year_to,
        kind=kind,
        body=body,
        page_size=page_size,
        cursor=cursor,
    )
    return presenters.milestone_collection(urls, page)
