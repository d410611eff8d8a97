from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app import schemas
from app.api import presenters
from app.api.deps import (
    PerspectiveFilter,
    SearchTypeFilter,
    SessionDep,
    UrlsDep,
    paging_query,
)
from app.api.presenters import Urls
from app.core.config import Settings
from app.core.representations import RepresentationRoute
from app.services import search
from app.services.paging import Page

SEARCH_MAX_WORDS = Settings.model_fields["search_max_words"].default
SEARCH_TEXT_MAX_LENGTH = Settings.model_fields["max_search_query_length"].default
SEARCH_RANKED_STATUSES = Settings.model_fields["search_ranked_statuses"].default


def get_search_limits(request: Request) -> search.SearchLimits:
    settings = request.app.state.settings
    return search.SearchLimits(
        max_words=settings.search_max_words,
        min_prefix_length=settings.search_min_prefix_length,
        timeout_ms=settings.search_timeout_ms,
        ranked_statuses=settings.search_ranked_statuses,
    )


router = APIRouter(prefix="/search", tags=["search"], route_class=RepresentationRoute)


@router.get(
    "",
    response_model=schemas.SearchResultCollection,
    summary="Full-text search in goal and status texts and indicator and metric names",
    description="Every word of `q` must match (letters and digits count; other characters, "
    "`or` and `not` are never query syntax). A word matches as itself, ignoring case, and, "
    "from 3 letters, as the start of a longer word or compound (`klimaat` finds "
    "`Klimaatmonitor`); on PostgreSQL also by its Dutch stem (`laadpalen` finds `laadpaal`). "
    f"At most {SEARCH_MAX_WORDS} different words; a search that takes longer than its time "
    "budget is stopped with 503. Best matches first, among every matching goal, indicator and "
    f"metric and the {SEARCH_RANKED_STATUSES} most recently added matching statuses (older "
    "matching statuses are not in the results; more specific words narrow the search).",
    responses={
        503: {
            "description": "The search took longer than its time budget (`SEARCH_TIMEOUT_MS`), "
            "or the database is unavailable at the moment (then retry after `Retry-After`)."
        }
    },
)
def search_resources(
    session: SessionDep,
    urls: UrlsDep,
    paging: paging_query(search.SEARCH_ORDER, default_size=20),
    q: Annotated[
        str,
        Query(
            max_length=SEARCH_TEXT_MAX_LENGTH,
            # Documented here, checked by search_words with Python's `re`, whose idea of a
            # letter (Unicode `\w`) is the one schema-driven clients use; pydantic's own regex
            # engine would disagree on characters such as "½".
            json_schema_extra={"pattern": search.query_pattern(SEARCH_MAX_WORDS)},
            description="Search words, e.g. `laadpalen`: at least one letter or digit, at most "
            f"{SEARCH_MAX_WORDS} words and {SEARCH_TEXT_MAX_LENGTH} characters.",
        ),
    ],
    limits: Annotated[search.SearchLimits, Depends(get_search_limits)],
    perspective: PerspectiveFilter = None,
    type_: SearchTypeFilter = None,
) -> schemas.SearchResultCollection:
    page = search.search(
        session,
        q,
        perspective=perspective,
        kind=type_,
        page_size=paging.page_size,
        cursor=paging.cursor,
        limits=limits,
    )
    return search_results(urls, page)


def search_results(urls: Urls, page: Page[search.SearchHit]) -> schemas.SearchResultCollection:
    return presenters.collection(urls, page, _result, schemas.SearchResultCollection)


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
