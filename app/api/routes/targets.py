from typing import Annotated

from fastapi import APIRouter, Query

from app.api import presenters
from app.api.deps import (
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    paging_query,
)
from app.api.routes.milestones import GoalFilter
from app.core.periods import MAX_YEAR, MIN_YEAR
from app.core.representations import RepresentationRoute
from app.schemas import TargetCollection
from app.services import targets

router = APIRouter(prefix="/targets", tags=["targets"], route_class=RepresentationRoute)

DeadlineYear = Annotated[
    int | None,
    Query(ge=MIN_YEAR, le=MAX_YEAR, description="Targets whose deadline falls in this year."),
]
HasMetric = Annotated[
    bool | None,
    Query(
        alias="hasMetric",
        description="`true`: only targets that one of the report's metrics measures; "
        "`false`: only the others.",
    ),
]


@router.get(
    "",
    response_model=TargetCollection,
    summary="Measurable levels and deadlines stated in goal and status texts",
    description="Goals in report order, each goal's targets as printed. A target with a metric "
    "shows the metric's latest figure beside it.",
)
def list_targets(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(targets.TARGET_ORDER),
    perspective: PerspectiveFilter = None,
    goal: GoalFilter = None,
    year: DeadlineYear = None,
    has_metric: HasMetric = None,
) -> TargetCollection:
    page = targets.list_targets(
        session,
        perspective=perspective,
        goal=goal,
        year=year,
        has_metric=has_metric,
        page_size=paging.page_size,
        cursor=paging.cursor,
    )
    return presenters.collection(urls, page, presenters.target, TargetCollection)
