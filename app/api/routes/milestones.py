from typing import Annotated

from fastapi import APIRouter, Query

from app.api import presenters
from app.api.deps import (
    GOAL_CODE,
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    code_list,
    literal_alternatives,
    paging_query,
)
from app.core.periods import MAX_YEAR, MIN_YEAR
from app.core.representations import RepresentationRoute
from app.schemas import MilestoneBody, MilestoneCollection, MilestoneKind
from app.services import milestones

router = APIRouter(prefix="/milestones", tags=["milestones"], route_class=RepresentationRoute)

GoalFilter = code_list("goal", GOAL_CODE, "Goal code, e.g. `C4`.")
MilestoneYear = Annotated[
    int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="Milestones dated in this year.")
]
MilestoneYearFrom = Annotated[
    int | None,
    Query(
        alias="yearFrom",
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Milestones dated in or after this year.",
    ),
]
MilestoneYearTo = Annotated[
    int | None,
    Query(
        alias="yearTo",
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Milestones dated in or before this year.",
    ),
]
KindFilter = code_list("kind", literal_alternatives(MilestoneKind), "Kind of step.")
BodyFilter = code_list(
    "body", literal_alternatives(MilestoneBody), "Body that takes the step (or is briefed)."
)


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
    paging: paging_query(milestones.MILESTONE_ORDER),
    perspective: PerspectiveFilter = None,
    goal: GoalFilter = None,
    year: MilestoneYear = None,
    year_from: MilestoneYearFrom = None,
    year_to: MilestoneYearTo = None,
    kind: KindFilter = None,
    body: BodyFilter = None,
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
        page_size=paging.page_size,
        cursor=paging.cursor,
    )
    return presenters.collection(urls, page, presenters.milestone, MilestoneCollection)
