from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from app.api import presenters
from app.api.deps import (
    IndicatorFilter,
    MeasurementFiltersDep,
    MetricPath,
    PeriodPath,
    PerspectiveFilter,
    SessionDep,
    TextLimitsDep,
    UrlsDep,
    Year,
    code_list,
    literal_alternatives,
    paging_query,
)
from app.api.json_body import read_json_body
from app.api.security import WriterDep
from app.api.write_docs import NO_STORE_HEADER, json_request_body, problem_responses
from app.core.representations import RepresentationRoute
from app.schemas import (
    Assessment,
    MeasurementCollection,
    MeasurementDetailOut,
    MeasurementIn,
    MeasurementRevisionCollection,
    MetricCollection,
    MetricOut,
)
from app.services import indicators, measurement_reads, measurement_writes, measurements

router = APIRouter(prefix="/metrics", tags=["metrics"], route_class=RepresentationRoute)

AssessmentFilter = code_list(
    "assessment",
    literal_alternatives(Assessment),
    'Metrics whose `trend.assessment` is this: `worse` is a dashboard\'s "needs attention" list.',
)
SourceAddress = Annotated[
    str | None,
    Query(
        min_length=1,
        # Some text that is not only spaces, and no NUL (nor is any stored source).
        pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
        description="The figure's source, when the period has figures from several sources "
        "(M12.1 2021); without it such a period is ambiguous (409). As shown in `source`.",
    ),
]
ETAG_HEADER = {
    "ETag": {
        "description": "The version of this measurement; send it as `If-Match` to replace it.",
        "schema": {"type": "string"},
    }
}


@router.get("", response_model=MetricCollection, summary="List metrics (series) in report order")
def list_metrics(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(indicators.METRIC_ORDER),
    perspective: PerspectiveFilter = None,
    indicator: IndicatorFilter = None,
    assessment: AssessmentFilter = None,
) -> MetricCollection:
    page = indicators.list_metrics(
        session,
        perspective=perspective,
        indicator=indicator,
        assessment=assessment,
        page_size=paging.page_size,
        cursor=paging.cursor,
    )
    return presenters.collection(urls, page, presenters.metric, MetricCollection)


@router.get("/{code}", response_model=MetricOut, summary="One metric with its series")
def get_metric(
    code: MetricPath, session: SessionDep, urls: UrlsDep, year: Year = None
) -> MetricOut:
    return presenters.metric(urls, indicators.get_metric(session, code, year=year))


@router.get(
    "/{code}/measurements",
    response_model=MeasurementCollection,
    summary="One metric's measurements, ordered by period",
)
def list_metric_measurements(
    code: MetricPath,
    session: SessionDep,
    urls: UrlsDep,
    filters: MeasurementFiltersDep,
    paging: paging_query(measurements.MEASUREMENT_ORDER),
) -> MeasurementCollection:
    page = measurements.list_metric_measurements(
        session,
        code,
        **asdict(filters),
        page_size=paging.page_size,
        cursor=paging.cursor,
    )
    return presenters.collection(urls, page, presenters.measurement, MeasurementCollection)


@router.get(
    "/{code}/measurements/{period}",
    response_model=MeasurementDetailOut,
    summary="One measurement, with the ETag that replacing it needs",
    responses={
        200: {"description": "The measurement.", "headers": ETAG_HEADER},
        **problem_responses(409),
    },
)
def get_measurement(
    code: MetricPath,
    period: PeriodPath,
    session: SessionDep,
    urls: UrlsDep,
    response: Response,
    source: SourceAddress = None,
) -> MeasurementDetailOut:
    detail = measurement_reads.get_measurement(session, code, period, source)
    response.headers["ETag"] = detail.etag
    return presenters.measurement_detail(urls, detail)


@router.get(
    "/{code}/measurements/{period}/revisions",
    response_model=MeasurementRevisionCollection,
    summary="Every version of one measurement, oldest first (the last is current)",
    responses=problem_responses(409),
)
def list_measurement_revisions(
    code: MetricPath,
    period: PeriodPath,
    session: SessionDep,
    urls: UrlsDep,
    source: SourceAddress = None,
) -> MeasurementRevisionCollection:
    revisions = measurement_reads.list_revisions(session, code, period, source)
    return presenters.measurement_revisions(urls, revisions)


@router.put(
    "/{code}/measurements/{period}",
    response_model=MeasurementDetailOut,
    summary="Create or replace one measurement (replacing needs If-Match)",
    openapi_extra=json_request_body(MeasurementIn),
    responses={
        200: {
            "description": "Replaced (or unchanged); the replaced version is kept as a revision.",
            "headers": {**ETAG_HEADER, **NO_STORE_HEADER},
        },
        201: {
            "description": "Created; `Location` is its URL.",
            "headers": {
                **ETAG_HEADER,
                **NO_STORE_HEADER,
                "Location": {
                    "description": "URL of the measurement.",
                    "schema": {"type": "string"},
                },
            },
        },
        **problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 428),
    },
)
def put_measurement(
    code: MetricPath,
    period: PeriodPath,
    writer: WriterDep,
    session: SessionDep,
    urls: UrlsDep,
    response: Response,
    text_limits: TextLimitsDep,
    body: Annotated[bytes, Depends(read_json_body)],
    source: SourceAddress = None,
    if_match: Annotated[
        str | None,
        Header(description="The current ETag; required to replace an existing measurement."),
    ] = None,
    if_none_match: Annotated[
        str | None,
        Header(description="`*`: create only, 412 if the measurement exists."),
    ] = None,
) -> MeasurementDetailOut:
    result = measurement_writes.put_measurement_from_request(
        session,
        code,
        period,
        source,
        body,
        measurement_writes.Preconditions(if_match=if_match, if_none_match=if_none_match),
        author=writer.name,
        text_limits=text_limits,
    )
    stored = presenters.measurement_detail(urls, result.detail)
    response.headers["ETag"] = result.detail.etag
    if result.created:
        response.status_code = 201
        response.headers["Location"] = stored.links_.self_.href
    return stored
