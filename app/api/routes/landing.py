from fastapi import APIRouter

from app import __version__
from app.api import presenters
from app.api.deps import UrlsDep
from app.core.representations import RepresentationRoute
from app.schemas import Landing

router = APIRouter(tags=["landing"], route_class=RepresentationRoute)

DESCRIPTION = (
    "Goals, status updates, indicators and measurements of the Maastricht coalition agreement "
    "2018-2022 progress report (stand van zaken februari 2022)."
)


@router.get("", response_model=Landing, summary="Landing document with links to every collection")
# The OpenAPI document lists paths relative to its server `/v1`, so it names this one `/`:
# `/v1/` is the landing too (the one exception to "no trailing slash").
@router.get("/", response_model=Landing, include_in_schema=False)
def get_landing(urls: UrlsDep) -> Landing:
    return presenters.landing(urls, "coalition-monitor", __version__, DESCRIPTION)
