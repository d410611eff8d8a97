from fastapi import APIRouter

from app.api import presenters
from app.api.deps import SessionDep, UrlsDep, code_path, paging_query
from app.core.representations import RepresentationRoute
from app.schemas import UnitCollection, UnitOut
from app.services import units

UnitPath = code_path(r"[a-z][A-Za-z0-9]*", "Unit code, e.g. `percent`.")

router = APIRouter(prefix="/units", tags=["units"], route_class=RepresentationRoute)


@router.get("", response_model=UnitCollection, summary="The unit vocabulary")
def list_units(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(units.UNIT_ORDER),
) -> UnitCollection:
    page = units.list_units(session, page_size=paging.page_size, cursor=paging.cursor)
    return presenters.collection(urls, page, presenters.unit, UnitCollection)


@router.get("/{code}", response_model=UnitOut, summary="One unit of the vocabulary")
def get_unit(code: UnitPath, session: SessionDep, urls: UrlsDep) -> UnitOut:
    return presenters.unit(urls, units.get_unit(session, code))
