from dataclasses import asdict

from fastapi import APIRouter

from app.api import presenters
from app.api.deps import (
    IndicatorFilter,
    MeasurementFiltersDep,
    MetricFilter,
    PerspectiveFilter,
    SessionDep,
    UrlsDep,
    paging_query,
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
    filters: MeasurementFiltersDep,
    paging: paging_query(measurements.MEASUREMENT_ORDER),
    perspective: PerspectiveFilter = None,
    indicator: IndicatorFilter = None,
    metric: MetricFilter = None,
) -> MeasurementCollection:
    page = measurements.list_measurements(
        session,
        perspective=perspective,
        indicator=indicator,
        metric=metric,
        **asdict(filters),
        page_size=paging.page_size,
        cursor=paging.cursor,
    )
    return presenters.collection(urls, page, presenters.measurement, MeasurementCollection)
