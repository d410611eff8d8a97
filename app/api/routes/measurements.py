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
from app.core.representations import RepresentationRoute
from app.schemas import MeasurementCollection, MeasurementStatus
from app.services import measurements

router = APIRouter(prefix="/measurements", tags=["measurements"], route_class=RepresentationRoute)

StatusFilter = Annotated[MeasurementStatus | None, Query(description="Measurement status.")]


@router.get(
    "",
    response_model=MeasurementCollection,
    summary="All measurements as one flat table, in report order",
)
def list_measurements(
    session: SessionDep,
    urls: UrlsDep,
    perspective: PerspectiveFilter = None,
    indicator: Annotated[str | None, Query(description="Indicator code, e.g. `M1`.")] = None,
    metric: Annotated[str | None, Query(description="Metric code, e.g. `M1.1`.")] = None,
    year: Year = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    status: StatusFilter = None,
    page_size: PageSize = DEFAULT_PAGE,
    cursor: Cursor = None,
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
    return presenters.measurement_collection(urls, page)
