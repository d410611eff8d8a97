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
    YearFrom,
    YearTo,
)
from app.api.routes.measurements import StatusFilter
from app.schemas import MeasurementCollection, MetricCollection, MetricOut
from app.services import indicators, measurements

router = APIRouter(prefix="/metrics", tags=["metrics"])

IndicatorFilter = Annotated[str | None, Query(description="Indicator code, e.g. `M1`.")]


@router.get("", response_model=MetricCollection, summary="List metrics (series) in report order")
def list_metrics(
    session: SessionDep,
    urls: UrlsDep,
    perspective: PerspectiveFilter = None,
    indicator: IndicatorFilter = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> MetricCollection:
    page = indicators.list_metrics(
        session, perspective=perspective, indicator=indicator, page_size=page_size, cursor=cursor
    )
    return presenters.metric_collection(urls, page)


@router.get("/{code}", response_model=MetricOut, summary="One metric with its series")
def get_metric(code: str, session: SessionDep, urls: UrlsDep, year: Year = None) -> MetricOut:
    return presenters.metric(urls, indicators.get_metric(session, code, year=year))


@router.get(
    "/{code}/measurements",
    response_model=MeasurementCollection,
    summary="One metric's measurements, ordered by period",
)
def list_metric_measurements(
    code: str,
    session: SessionDep,
    urls: UrlsDep,
    year: Year = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    status: StatusFilter = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> MeasurementCollection:
    page = measurements.list_metric_measurements(
        session,
        code,
        year=year,
        year_from=year_from,
        year_to=year_to,
        status=status,
        page_size=page_size,
        cursor=cursor,
    )
    return presenters.measurement_collection(urls, page)
