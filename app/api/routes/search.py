from typing import Annotated

from fastapi import APIRouter, Query

from app import schemas
from app.api.deps import Cursor, PageSize, PerspectiveFilter, SessionDep, UrlsDep
from app.api.presenters import Urls
from app.core.representations import RepresentationRoute
from app.services import search
from app.services.paging import Page

router = APIRouter(prefix="/search", tags=["search"], route_class=RepresentationRoute)


@router.get(
    "",
    response_model=schemas.SearchResultCollection,
    summary="Full-text search in goal and status texts and indicator and metric names",
    description="Every word of `q` must match (letters and digits count; other characters "
    "separate words and are never query syntax). PostgreSQL stems Dutch words "
    '("laadpalen" finds "laadpaal"); SQLite matches each word as the start of a word '
    '("fiets" finds "fietsers") without stemming. Best matches first.',
)
def search_everything(
    session: SessionDep,
    urls: UrlsDep,
    q: Annotated[str, Query(description="Search words, e.g. `laadpalen`.")],
    perspective: PerspectiveFilter = None,
    type_: Annotated[
        schemas.SearchType | None, Query(alias="type", description="Only this kind of resource.")
    ] = None,
    page_size: PageSize = 20,
    cursor: Cursor = None,
) -> schemas.SearchResultCollection:
    page = search.search(
        session, q, perspective=perspective, kind=type_, page_size=page_size, cursor=cursor
    )
    return search_results(urls, page)


def search_results(urls: Urls, page: Page[search.SearchHit]) -> schemas.SearchResultCollection:
    return schemas.SearchResultCollection(
        items=[_result(urls, hit) for hit in page.items],
        links_=urls.collection_links(page),
    )


def _result(urls: Urls, hit: search.SearchHit) -> schemas.SearchResultOut:
    goal = None
    if hit.kind == "status":
        assert hit.goal_code is not None
        resource = urls.link("goals", hit.goal_code, "statuses", hit.ref)
        goal = urls.link("goals", hit.goal_code)
    else:
        resource = urls.link(
            {"goal": "goals", "indicator": "indicators"}.get(hit.kind, "metrics"), hit.ref
        )
    return schemas.SearchResultOut(
        type=hit.kind,
        code=hit.ref,
        perspective_code=hit.perspective_code,
        score=round(hit.score, 6),
        snippet=hit.snippet,
        links_=schemas.SearchResultLinks(
            self_=resource, perspective=urls.link("perspectives", hit.perspective_code), goal=goal
        ),
    )
