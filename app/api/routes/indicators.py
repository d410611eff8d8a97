from typing import Annotated

from fastapi import APIRouter, Query

from app.api import presenters
from app.api.deps import (
    IndicatorPath,
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    paging_query,
)
from app.core.periods import MAX_YEAR, MIN_YEAR
from app.core.representations import RepresentationRoute
from app.schemas import IndicatorCollection, IndicatorOut
from app.services import indicators

router = APIRouter(prefix="/indicators", tags=["indicators"], route_class=RepresentationRoute)

MeasuredYear = Annotated[
    int | None,
    Query(
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Indicators with a measurement whose period covers it.",
    ),
]
DetailYear = Annotated[
    int | None,
    Query(
        ge=MIN_YEAR, le=MAX_YEAR, description="Only the measurements whose period covers this year."
    ),
]


@router.get("", response_model=IndicatorCollection, summary="List indicators in report order")
def list_indicators(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(indicators.INDICATOR_ORDER),
    perspective: PerspectiveFilter = None,
    year: MeasuredYear = None,
) -> IndicatorCollection:
    page = indicators.list_indicators(
        session,
        perspective=perspective,
        year=year,
        page_size=paging.page_size,
        cursor=paging.cursor,
    )
    return presenters.collection(urls, page, presenters.indicator, IndicatorCollection)


@router.get(
    "/{code}", response_model=IndicatorOut, summary="One indicator with metrics and measurements"
)
def get_indicator(
    code: IndicatorPath, session: SessionDep, urls: UrlsDep, year: DetailYear = None
) -> IndicatorOut:
    return presenters.indicator(urls, indicators.get_indicator(session, code, year=year))
