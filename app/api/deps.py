"""Query parameters shared by several routes, and the check for unknown parameters."""

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session

from app.api.presenters import Urls
from app.core.config import TextLimits
from app.core.errors import ProblemError
from app.db import get_session
from app.services.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

SessionDep = Annotated[Session, Depends(get_session)]


def get_urls(request: Request) -> Urls:
    return Urls(request)


UrlsDep = Annotated[Urls, Depends(get_urls)]


def get_text_limits(request: Request) -> TextLimits:
    return request.app.state.settings.text_limits


TextLimitsDep = Annotated[TextLimits, Depends(get_text_limits)]

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


def reject_nul_characters(request: Request) -> None:
    """No path or query value may hold a NUL: no code, period, source or search term contains
    one, and PostgreSQL refuses it in a query parameter with an error rather than finding
    nothing."""
    values = [*request.path_params.items(), *request.query_params.multi_items()]
    names = sorted({name for name, value in values if "\x00" in str(value)})
    if names:
        reason = "must not contain NUL characters"
        raise ProblemError(
            400,
            "NUL characters in: " + ", ".join(names),
            invalid_params=[{"name": name, "reason": reason} for name in names],
        )


def _all_query_params(dependant):
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _all_query_params(sub)
