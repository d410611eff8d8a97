from fastapi import APIRouter

from app.api import presenters
from app.api.deps import PerspectiveFilter, SessionDep, UrlsDep
from app.api.routes.goals import AsOf
from app.core.representations import RepresentationRoute
from app.schemas import SummaryHistory, SummaryOut
from app.services import summary

router = APIRouter(prefix="/summary", tags=["summary"], route_class=RepresentationRoute)


@router.get(
    "",
    response_model=SummaryOut,
    summary="Goals by progress, overall and per perspective (as /v1/goals counts them)",
)
def get_summary(
    session: SessionDep, urls: UrlsDep, perspective: PerspectiveFilter = None, as_of: AsOf = None
) -> SummaryOut:
    view = summary.get_summary(session, perspective=perspective, as_of=as_of)
    return presenters.summary(urls, view)


@router.get(
    "/history",
    response_model=SummaryHistory,
    summary="The summary on every date a status is dated, oldest first",
)
def get_history(
    session: SessionDep, urls: UrlsDep, perspective: PerspectiveFilter = None
) -> SummaryHistory:
    return presenters.summary_history(urls, summary.get_history(session, perspective=perspective))
