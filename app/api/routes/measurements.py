from fastapi import APIRouter

from app.api import presenters
from app.api.deps import (
    DEFAULT_PAGE,
    IndicatorFilter,
    MeasurementStatusFilter,
    MetricFilter,
    PageSize,
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    Year,
    YearFrom,
    YearTo,
    cursor_query,
)
from app.core.representations import RepresentationRoute
from app.schemas import MeasurementCollection
from app.services import measurements

router = APIRouter(prefix="/measurements", tags=["measurements"], route_class=RepresentationRoute)


@router.get(
    "",
    response_model=MeasurementCollection,
    summary="All measurements as one flat table, in report order",
)
def list_measurements(
    session: SessionDep,
    urls: UrlsDep,
    perspective: PerspectiveFilter = None,
    indicator: IndicatorFilter = None,
    metric: MetricFilter = None,
    year: Year = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    status: MeasurementStatusFilter = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: cursor_query(measurements.MEASUREMENT_ORDER) = None,
) -> MeasurementCollection:
    page = measurements.list_measurements(
        session,
        perspective=perspective,
        indicator=indicator,
        metric=metric,
        year=year,
        year_from=year_from,
        year_to=year_to,
        status=status,
        page_size=page_size,
        cursor=cursor,
    )
    return presenters.collection(urls, page, presenters.measurement, MeasurementCollection)
