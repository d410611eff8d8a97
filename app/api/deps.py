"""Query parameters shared by several routes, and the check for unknown parameters."""

from typing import Annotated

from fastapi import Depends, Query, Request

from app.api.presenters import Urls
from app.core.errors import ProblemError
from app.db import SessionDep as SessionDep  # the routes' session, re-exported
from app.services.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


def get_urls(request: Request) -> Urls:
    return Urls(request)


UrlsDep = Annotated[Urls, Depends(get_urls)]

PageSize = Annotated[
    int,
    Query(
        alias="pageSize",
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page (1..{MAX_PAGE_SIZE}).",
    ),
]
Cursor = Annotated[
    str | None,
    Query(description="Opaque position from a `next` link; do not build it yourself."),
]
Year = Annotated[
    int | None,
    Query(
        ge=1900,
        le=2100,
        description="Calendar year; a measurement matches when its period covers the year.",
    ),
]
YearFrom = Annotated[
    int | None,
    Query(alias="yearFrom", ge=1900, le=2100, description="Periods ending in or after this year."),
]
YearTo = Annotated[
    int | None,
    Query(alias="yearTo", ge=1900, le=2100, description="Periods starting in or before this year."),
]
PerspectiveFilter = Annotated[
    str | None, Query(description="Perspective code (`A`..`G`) or slug (`open-stad`).")
]
DEFAULT_PAGE = DEFAULT_PAGE_SIZE


def reject_unknown_query_parameters(request: Request) -> None:
    """A misspelt filter must not silently return everything: 400 instead."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {param.alias for param in _all_query_params(dependant)}
    unknown = sorted(set(request.query_params.keys()) - known)
    if unknown:
        raise ProblemError(
            400,
            "Unknown query parameter(s): " + ", ".join(unknown),
            invalid_params=[{"name": name, "reason": "unknown parameter"} for name in unknown],
        )


def _all_query_params(dependant):
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _all_query_params(sub)
