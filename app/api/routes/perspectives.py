from fastapi import APIRouter

from app.api import presenters
from app.api.deps import (
    PerspectivePath,
    SessionDep,
    UrlsDep,
    paging_query,
)
from app.core.representations import RepresentationRoute
from app.schemas import PerspectiveCollection, PerspectiveOut
from app.services import perspectives

router = APIRouter(prefix="/perspectives", tags=["perspectives"], route_class=RepresentationRoute)


@router.get("", response_model=PerspectiveCollection, summary="List the seven perspectives")
def list_perspectives(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(perspectives.PERSPECTIVE_ORDER),
) -> PerspectiveCollection:
    page = perspectives.list_perspectives(session, page_size=paging.page_size, cursor=paging.cursor)
    return presenters.collection(urls, page, presenters.perspective, PerspectiveCollection)


@router.get("/{code}", response_model=PerspectiveOut, summary="One perspective, by code or slug")
def get_perspective(code: PerspectivePath, session: SessionDep, urls: UrlsDep) -> PerspectiveOut:
    return presenters.perspective(urls, perspectives.get_perspective(session, code))
