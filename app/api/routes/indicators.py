from typing import Annotated

from fastapi import APIRouter, Query

from app.api import presenters
from app.api.deps import (
    DEFAULT_PAGE,
    IndicatorPath,
    PageSize,
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    cursor_query,
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
    perspective: PerspectiveFilter = None,
    year: MeasuredYear = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: cursor_query(indicators.INDICATOR_ORDER) = None,
) -> IndicatorCollection:
    page = indicators.list_indicators(
        session, perspective=perspective, year=year, page_size=page_size, cursor=cursor
    )
    return presenters.collection(urls, page, presenters.indicator, IndicatorCollection)


@router.get(
    "/{code}", response_model=IndicatorOut, summary="One indicator with metrics and measurements"
)
def get_indicator(
    code: IndicatorPath, session: SessionDep, urls: UrlsDep, year: DetailYear = None
) -> IndicatorOut:
    return presenters.indicator(urls, indicators.get_indicator(session, code, year=year))
