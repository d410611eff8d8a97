"""Query parameters shared by several routes, and the check for unknown parameters."""

import re
from dataclasses import dataclass
from typing import Annotated, get_args

from annotated_types import MaxLen
from fastapi import Depends, Path, Query, Request
from fastapi._compat.shared import field_annotation_is_sequence
from pydantic import AfterValidator, StringConstraints

from app.api.presenters import Urls
from app.core.codes import GOAL_CODE, INDICATOR_CODE, METRIC_CODE, PERSPECTIVE_CODE, whole
from app.core.config import TextLimits
from app.core.errors import ProblemError
from app.core.periods import MAX_YEAR, MIN_YEAR, PERIOD_PATTERN
from app.db import SessionDep as SessionDep  # the routes' session, re-exported
from app.schemas import MeasurementStatus, Progress, SearchType
from app.services.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, cursor_pattern


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


def cursor_query(sort_columns) -> object:
    """The `cursor` parameter of a collection sorted by `sort_columns`, with its pattern."""
    return Annotated[
        str | None,
        Query(
            pattern=cursor_pattern(sort_columns),
            description="Opaque position from a `next` link; do not build it yourself.",
        ),
    ]


@dataclass(frozen=True)
class PageRequest:
    """Which page of a collection: how many items, after which position (None: the first)."""

    page_size: int
    cursor: str | None


def paging_query(sort_columns, default_size: int = DEFAULT_PAGE_SIZE) -> object:
    """`pageSize` and `cursor` of a collection sorted by `sort_columns`, as one dependency."""
    cursor_type = cursor_query(sort_columns)

    def page_request(page_size: PageSize = default_size, cursor: cursor_type = None) -> PageRequest:
        return PageRequest(page_size=page_size, cursor=cursor)

    return Annotated[PageRequest, Depends(page_request)]


Year = Annotated[
    int | None,
    Query(
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Calendar year; a measurement matches when its period covers the year.",
    ),
]
YearFrom = Annotated[
    int | None,
    Query(
        alias="yearFrom",
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Periods ending in or after this year.",
    ),
]
YearTo = Annotated[
    int | None,
    Query(
        alias="yearTo",
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Periods starting in or before this year.",
    ),
]

# --- codes --------------------------------------------------------------------------------


def code_path(pattern: str, description: str) -> object:
    """A path parameter naming a resource, documented with its pattern. Any other value names
    no resource: 404, like an unknown code of the right form."""
    return Annotated[
        str, Path(description=description, json_schema_extra={"pattern": whole(pattern)})
    ]


PerspectivePath = code_path(PERSPECTIVE_CODE, "Perspective code (`A`..`G`) or slug.")
GoalPath = code_path(GOAL_CODE, "Goal code, e.g. `A1`.")
IndicatorPath = code_path(INDICATOR_CODE, "Indicator code, e.g. `M1`.")
MetricPath = code_path(METRIC_CODE, "Metric code, e.g. `M1.1`.")
PeriodPath = code_path(
    PERIOD_PATTERN,
    "A period as printed: a year (`2021`) or first and last year joined by a hyphen or an en "
    f"dash (`2018-2019`, `2014–2018`), years {MIN_YEAR}..{MAX_YEAR}.",
)


# --- filters that take several values -----------------------------------------------------

# Bounds that keep every query string the schema allows within the 8192-byte limit (414).
MAX_LIST_ITEMS = 5
MAX_LIST_ITEM_LENGTH = 60


LIST_STYLE_NOTE = (
    " Several values: repeat the parameter (`{name}=X&{name}=Y`) or separate them with commas "
    "(`{name}=X,Y`); an item matches any of them. At most "
    + str(MAX_LIST_ITEMS)
    + " repetitions of at most "
    + str(MAX_LIST_ITEM_LENGTH)
    + " characters each."
)


def _split_commas(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part for value in values for part in value.split(",")]


def code_list(name: str, pattern: str, description: str) -> object:
    """A filter that takes one or more values, each matching `pattern`. A value of that form
    that names nothing matches nothing (an empty page, not an error)."""
    item = Annotated[
        str,
        StringConstraints(
            max_length=MAX_LIST_ITEM_LENGTH, pattern=f"^(?:{pattern})(?:,(?:{pattern}))*$"
        ),
    ]
    return Annotated[
        Annotated[list[item], MaxLen(MAX_LIST_ITEMS)] | None,
        AfterValidator(_split_commas),
        Query(alias=name, description=description + LIST_STYLE_NOTE.format(name=name)),
    ]


def literal_alternatives(literal_type) -> str:
    """The pattern of a filter whose values are those of a Literal type."""
    return "|".join(re.escape(value) for value in get_args(literal_type))


PerspectiveFilter = code_list(
    "perspective", PERSPECTIVE_CODE, "Perspective code (`A`..`G`) or slug (`open-stad`)."
)
IndicatorFilter = code_list("indicator", INDICATOR_CODE, "Indicator code, e.g. `M1`.")
MetricFilter = code_list("metric", METRIC_CODE, "Metric code, e.g. `M1.1`.")
MeasurementStatusFilter = code_list(
    "status",
    literal_alternatives(MeasurementStatus),
    "Measurement status: " + ", ".join(f"`{v}`" for v in get_args(MeasurementStatus)) + ".",
)


@dataclass(frozen=True)
class MeasurementFilters:
    """The filters every list of measurements takes."""

    year: int | None
    year_from: int | None
    year_to: int | None
    status: list[str] | None


def _measurement_filters(
    year: Year = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    status: MeasurementStatusFilter = None,
) -> MeasurementFilters:
    return MeasurementFilters(year=year, year_from=year_from, year_to=year_to, status=status)


MeasurementFiltersDep = Annotated[MeasurementFilters, Depends(_measurement_filters)]


ProgressFilter = code_list(
    "progress",
    literal_alternatives(Progress),
    "Progress of the goal's latest status: "
    + ", ".join(f"`{v}`" for v in get_args(Progress))
    + ".",
)
SearchTypeFilter = code_list(
    "type",
    literal_alternatives(SearchType),
    "Only these kinds of resource: " + ", ".join(f"`{v}`" for v in get_args(SearchType)) + ".",
)


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
    repeated = sorted(
        param.alias
        for param in _all_query_params(dependant)
        if not _takes_several(param) and len(request.query_params.getlist(param.alias)) > 1
    )
    if repeated:
        raise ProblemError(
            400,
            "Query parameter(s) given more than once: " + ", ".join(repeated),
            invalid_params=[{"name": name, "reason": "takes one value"} for name in repeated],
        )


def _takes_several(param) -> bool:
    return field_annotation_is_sequence(param.field_info.annotation)


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
