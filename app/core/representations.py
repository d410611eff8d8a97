"""Content negotiation: JSON for everything, and CSV for every collection and series.

A collection has exactly one shape: its JSON items. The CSV is those same items flattened, with
the columns derived from the response model (so an empty page still has its header row, and a
property added to a schema appears in both representations): nested objects become dotted
columns (`latestStatus.asOf`, `_links.self.href`), lists become a JSON array in one cell,
nulls become empty cells, numbers are written in plain notation with a dot.

A text cell that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab
or a carriage return) gets a leading `'`, as OWASP advises against CSV injection: the text
someone wrote is shown, never executed. Numbers are never changed (a negative value stays
`-2.5`); the JSON always has the text exactly as written.

A document that is not a collection but declares `csv_as_one_row` (a summary) is one row of
those same columns.

The representation is chosen by the `format` query parameter (`json`, `csv`; for tools that
cannot set headers) or else by `Accept`; an `Accept` that allows neither is 406.

A CSV request without `pageSize` and `cursor` gets the whole filtered collection, page after
page of the JSON collection written out as rows while it is sent: spreadsheet tools and data
frames ignore `Link` headers. It is streamed, never buffered: its strong ETag derives from the
data version, read before the first page (and `If-None-Match` is answered before any page is
read); when the version differs after the last page (a write committed meanwhile, so the pages
may mix two versions), the response is broken off unfinished rather than completed under an
ETag that would not name its bytes. The OpenAPI document describes the JSON only as the 200 body
(so generated clients type it exactly) and the CSV in the `format` parameter and the 200
description.
"""

import csv
import io
import json
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import parse_qsl, urlencode, urlsplit

import anyio.to_thread
import mimeparse
from fastapi import Depends, Query, Request
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response, StreamingResponse

from app.core.caching import not_modified_response
from app.core.data_version import current_version
from app.core.errors import ProblemError
from app.core.etags import version_etag
from app.core.methods import DATA_READ_METHODS

JSON_MEDIA_TYPE = "application/json"
JSON_LD_MEDIA_TYPE = "application/ld+json"
CSV_MEDIA_TYPE = "text/csv"
ZIP_MEDIA_TYPE = "application/zip"
# Every media type a read can be negotiated to (a test checks the OpenAPI document against it).
TURTLE_MEDIA_TYPE = "text/turtle"
RDF_XML_MEDIA_TYPE = "application/rdf+xml"
SVG_MEDIA_TYPE = "image/svg+xml"
NEGOTIATED_MEDIA_TYPES = (
    JSON_MEDIA_TYPE,
    JSON_LD_MEDIA_TYPE,
    CSV_MEDIA_TYPE,
    ZIP_MEDIA_TYPE,
    TURTLE_MEDIA_TYPE,
    RDF_XML_MEDIA_TYPE,
    SVG_MEDIA_TYPE,
)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present"
# The `format` query parameter's values.
FORMATS = {"json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE, "zip": ZIP_MEDIA_TYPE}

CSV_RESPONSE_DOC = (
    "The collection as JSON; or, with `format=csv` or `Accept: text/csv`, as CSV "
    "(`text/csv; charset=utf-8; header=present`): one row per item, a header row of the JSON "
    "property names (nested ones dotted, e.g. `latestStatus.progress`). Without `pageSize` and "
    "`cursor` the CSV holds the whole filtered collection."
)
# The largest page the CSV of a whole collection reads at a time.
_LARGEST_PAGE = 500

LINK_HEADER_DOC = {
    "description": 'CSV only: the next page as `<url>; rel="next"` (the JSON has `_links.next`).',
    "schema": {"type": "string"},
}
CONTENT_DISPOSITION_DOC = {
    "description": "CSV only: `attachment` with a file name.",
    "schema": {"type": "string"},
}


def format_parameter(
    format: Annotated[
        Literal["json", "csv"] | None,
        Query(
            description="Representation, for tools that cannot send `Accept`: `json` or `csv` "
            "(`text/csv`, the items one per row, columns as the JSON properties, nested ones "
            "dotted). Takes precedence over `Accept`. CSV without `pageSize` and `cursor` is the "
            "whole filtered collection.",
        ),
    ] = None,
) -> None:
    """Declares (and validates) `format`; the negotiation itself happens in the route class."""


def csv_columns(model: type[BaseModel]) -> list[tuple[str, ...]]:
    """Column paths (wire names) of a model, nested models flattened depth first."""
    columns: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        wire_name = field.alias or name
        nested = _model_of(field.annotation)
        if nested is not None:
            columns.extend((wire_name, *path) for path in csv_columns(nested))
        else:
            columns.append((wire_name,))
    return columns


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class of `Model` or `Model | None`; None for scalars and lists."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _model_of(members[0])
    return None


def collection_item_model(response_model: Any) -> type[BaseModel] | None:
    """The item model of a collection (`{"items": [...], "_links": ...}`), else None."""
    if not (isinstance(response_model, type) and issubclass(response_model, BaseModel)):
        return None
    items = response_model.model_fields.get("items")
    if items is None or get_origin(items.annotation) is not list:
        return None
    (item,) = get_args(items.annotation)
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        # Plain notation: never 1E+1 or 1e-05.
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return inert_text(str(value))


def inert_text(text: str) -> str:
    """A text cell a spreadsheet shows rather than runs (the rule in the module docstring)."""
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def _lookup(item: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def items_to_csv(
    items: list[dict[str, Any]], columns: list[tuple[str, ...]], *, header: bool = True
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow([".".join(path) for path in columns])
    for item in items:
        writer.writerow([_cell(_lookup(item, path)) for path in columns])
    return buffer.getvalue().encode("utf-8")


def parse_json_keeping_decimals(body: bytes) -> Any:
    # Decimals keep each number exactly as the JSON printed it.
    return json.loads(body, parse_float=Decimal)


def csv_file_name(path: str) -> str:
    """`/v1/metrics/M5.1/measurements` -> `metrics-M5.1-measurements.csv`."""
    segments = [segment for segment in path.split("/") if segment and segment != "v1"]
    name = "-".join(segments) or "data"
    safe = "".join(char if char.isalnum() or char in "-._" else "_" for char in name)
    return f"{safe}.csv"


def negotiate(request: Request, offers: list[str], formats: dict[str, str] = FORMATS) -> str:
    """The media type to answer with, from `format` (a key of `formats`) or `Accept`; 406 when
    none is acceptable."""
    requested = formats.get(request.query_params.get("format", ""))
    if requested in offers:
        return requested
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return offers[0]
    try:
        # best_match prefers the last of equally good offers; ours are in preference order.
        chosen = mimeparse.best_match(list(reversed(offers)), accept)
    except (mimeparse.MimeTypeParseException, ValueError):
        chosen = ""
    if not chosen:
        raise ProblemError(
            406,
            f"Cannot answer with any media type in Accept: {accept[:200]}. "
            f"This resource is available as {', '.join(offers)}.",
        )
    return chosen


def representation_key(accept: bytes | None) -> tuple:
    """What `negotiate` would make of this `Accept`, for any offers: for each media type we
    serve, the quality and fitness `mimeparse.best_match` ranks it by. `Accept` values that
    rank them alike choose alike, so they can share a cached answer."""
    # No Accept chooses as `*/*` does: the first offer.
    text = (accept or b"").decode("latin-1").strip() or "*/*"
    try:
        ranges = [mimeparse.parse_media_range(part) for part in text.split(",") if part.strip()]
        return tuple(
            mimeparse.quality_and_fitness_parsed(media_type, ranges)
            for media_type in NEGOTIATED_MEDIA_TYPES
        )
    except (mimeparse.MimeTypeParseException, ValueError):
        return ("unreadable", text)


def csv_response(
    request: Request, json_response: Response, columns, one_row: bool = False
) -> Response:
    document = parse_json_keeping_decimals(json_response.body)
    headers = {"Content-Disposition": f'attachment; filename="{csv_file_name(request.url.path)}"'}
    next_link = _lookup(document, ("_links", "next", "href"))
    if next_link:
        headers["Link"] = f'<{next_link}>; rel="next"'
    for name in ("etag", "cache-control"):
        if name in json_response.headers:
            headers[name] = json_response.headers[name]
    return Response(
        items_to_csv([document] if one_row else document["items"], columns),
        media_type=CSV_CONTENT_TYPE,
        headers=headers,
    )


PageHandler = Callable[[Request], Awaitable[Response]]


def _page_request(request: Request, cursor: str | None) -> Request:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    query.append(("pageSize", str(_LARGEST_PAGE)))
    if cursor is not None:
        query.append(("cursor", cursor))
    return Request(dict(request.scope, query_string=urlencode(query).encode()), request.receive)


def _next_cursor(document: dict[str, Any]) -> str | None:
    href = _lookup(document, ("_links", "next", "href"))
    if not href:
        return None
    return dict(parse_qsl(urlsplit(href).query)).get("cursor")


class DataChangedWhileStreaming(Exception):
    """A write committed while a whole collection was streamed: the response is broken off."""


async def _data_version(request: Request) -> int:
    return await anyio.to_thread.run_sync(current_version, request.app.state.engine)


async def whole_collection_csv(request: Request, handler: PageHandler, columns) -> Response:
    """All pages as one CSV, each page written out as it is read (see module docstring)."""
    version = await _data_version(request)
    url = request.url
    base = request.app.state.settings.base_url
    etag = version_etag("csv", request.app.version, version, base, url.path, url.query)
    unchanged = not_modified_response(request, etag)
    if unchanged is not None:
        return unchanged
    first = await handler(_page_request(request, None))
    if first.status_code != 200:
        return first
    document = parse_json_keeping_decimals(first.body)

    async def rows() -> AsyncIterator[bytes]:
        page, header = document, True
        while True:
            yield items_to_csv(page["items"], columns, header=header)
            cursor, header = _next_cursor(page), False
            if cursor is None:
                break
            response = await handler(_page_request(request, cursor))
            page = parse_json_keeping_decimals(response.body)
        if await _data_version(request) != version:
            raise DataChangedWhileStreaming(url.path)

    return StreamingResponse(
        rows(),
        media_type=CSV_CONTENT_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{csv_file_name(url.path)}"',
            "ETag": etag,
        },
    )


class RepresentationRoute(APIRoute):
    """Routes that answer GET with JSON, and collections also with CSV (see module docstring)."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        response_model = kwargs.get("response_model")
        item_model = collection_item_model(response_model)
        self.csv_one_row = item_model is None and getattr(response_model, "csv_as_one_row", False)
        if self.csv_one_row:
            item_model = response_model
        is_read = set(kwargs.get("methods") or ["GET"]) <= DATA_READ_METHODS
        self.csv_columns = csv_columns(item_model) if item_model is not None and is_read else None
        if self.csv_columns is not None:
            dependencies = list(kwargs.get("dependencies") or [])
            if not any(dep.dependency is format_parameter for dep in dependencies):
                dependencies.append(Depends(format_parameter))
            kwargs["dependencies"] = dependencies
            responses = dict(kwargs.get("responses") or {})
            ok = dict(responses.get(200, {}))
            ok.setdefault("description", CSV_RESPONSE_DOC)
            ok.setdefault("headers", {}).update(
                {"Link": LINK_HEADER_DOC, "Content-Disposition": CONTENT_DISPOSITION_DOC}
            )
            responses[200] = ok
            kwargs["responses"] = responses
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self):
        handler = super().get_route_handler()
        columns = self.csv_columns
        one_row = self.csv_one_row
        offers = [JSON_MEDIA_TYPE, CSV_MEDIA_TYPE] if columns is not None else [JSON_MEDIA_TYPE]

        paged = any(param.alias == "pageSize" for param in get_flat_params(self.dependant))

        async def negotiating_handler(request: Request) -> Response:
            if request.method not in DATA_READ_METHODS:
                return await handler(request)
            media_type = negotiate(request, offers)
            if media_type != CSV_MEDIA_TYPE:
                return await handler(request)
            whole = "pageSize" not in request.query_params and "cursor" not in request.query_params
            if paged and whole:
                return await whole_collection_csv(request, handler, columns)
            response = await handler(request)
            if response.status_code != 200:
                return response
            return csv_response(request, response, columns, one_row)

        return negotiating_handler
