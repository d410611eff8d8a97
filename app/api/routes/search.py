from typing import Annotated

from fastapi import APIRouter, Query

from app import schemas
from app.api.deps import (
    PageSize,
    PerspectiveFilter,
    SearchTypeFilter,
    SessionDep,
    UrlsDep,
    cursor_query,
)
from app.api.presenters import Urls
from app.core.config import Settings
from app.core.representations import RepresentationRoute
from app.services import search
from app.services.paging import Page

# One to MAX_WORDS words (runs of letters, digits or `_`) and no NUL, as search_words reads q.
SEARCH_TEXT_PATTERN = (
    r"^[^\w\x00]*(?:\w+[^\w\x00]+){0," + str(search.MAX_WORDS - 1) + r"}\w+[^\w\x00]*$"
)
SEARCH_TEXT_MAX_LENGTH = Settings.model_fields["max_search_query_length"].default

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
def search_resources(
    session: SessionDep,
    urls: UrlsDep,
    q: Annotated[
        str,
        Query(
            max_length=SEARCH_TEXT_MAX_LENGTH,
            pattern=SEARCH_TEXT_PATTERN,
            description="Search words, e.g. `laadpalen`: at least one letter or digit, at most "
            f"{search.MAX_WORDS} words and {SEARCH_TEXT_MAX_LENGTH} characters.",
        ),
    ],
    perspective: PerspectiveFilter = None,
    type_: SearchTypeFilter = None,
    page_size: PageSize = 20,
    cursor: cursor_query(search.SEARCH_ORDER) = None,
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
