"""SVG charts of a metric's or an indicator's series (see app/api/charts.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.charts import ChartOptions, indicator_chart, metric_chart
from app.api.deps import SessionDep
from app.core.representations import SVG_MEDIA_TYPE, negotiate
from app.services import indicators

router = APIRouter(tags=["charts"])

# Shapes and text only: nothing to fetch, nothing to run, even when opened on its own.
SVG_SECURITY_POLICY = "default-src 'none'"
SVG_RESPONSE = {
    200: {
        "description": "The chart (`<title>` and `<desc>` name the metric and its unit).",
        "content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}

Width = Annotated[int, Query(ge=240, le=1600, description="Width in pixels (240..1600).")]
Height = Annotated[
    int,
    Query(
        ge=220,
        le=1200,
        description="Height in pixels (220..1200); of each metric's panel in an indicator chart.",
    ),
]
Lang = Annotated[
    Literal["nl", "en"],
    Query(description="Language of the labels (`nl`, `en`); the report's texts stay Dutch."),
]


def chart_options(width: Width = 640, height: Height = 360, lang: Lang = "nl") -> ChartOptions:
    return ChartOptions(width, height, lang)


Options = Annotated[ChartOptions, Depends(chart_options)]


def _svg(request: Request, body: bytes) -> Response:
    negotiate(request, [SVG_MEDIA_TYPE])
    return Response(
        body, media_type=SVG_MEDIA_TYPE, headers={"Content-Security-Policy": SVG_SECURITY_POLICY}
    )


@router.get(
    "/metrics/{code}/chart.svg",
    response_class=Response,
    responses=SVG_RESPONSE,
    summary="One metric's series as an accessible SVG chart",
)
def get_metric_chart(
    code: str,
    request: Request,
    session: SessionDep,
    options: Options,
) -> Response:
    view = indicators.get_metric(session, code, year=None)
    return _svg(request, metric_chart(view, options))


@router.get(
    "/indicators/{code}/chart.svg",
    response_class=Response,
    responses=SVG_RESPONSE,
    summary="An indicator's series as an accessible SVG chart, one panel per metric",
)
def get_indicator_chart(
    code: str,
    request: Request,
    session: SessionDep,
    options: Options,
) -> Response:
    view = indicators.get_indicator(session, code, year=None)
    return _svg(request, indicator_chart(view, options))
