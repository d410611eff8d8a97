"""Content negotiation: JSON for everything, and CSV for every collection and series.

A collection has exactly one shape: its JSON items. The CSV is those same items flattened, with
the columns derived from the response model (so an empty page still has its header row, and a
property added to a schema appears in both representations): nested objects become dotted
columns (`latestStatus.asOf`, `_links.self.href`), lists become a JSON array in one cell,
nulls become empty cells, numbers are written in plain notation with a dot.

A document that is not a collection but declares `csv_as_one_row` (a summary) is one row of
those same columns.

The representation is chosen by the `format` query parameter (`json`, `csv`; for tools that
cannot set headers) or else by `Accept`; an `Accept` that allows neither is 406.
"""

import csv
import io
import json
import types
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import mimeparse
from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from app.core.errors import ProblemError

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"
ZIP_MEDIA_TYPE = "application/zip"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present"
# The `format` query parameter's values.
FORMATS = {"json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE, "zip": ZIP_MEDIA_TYPE}

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
            description="Representation, for tools that cannot send `Accept`: `json` or `csv`. "
            "Takes precedence over `Accept`.",
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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # Plain notation: never 1E+1 or 1e-05.
        return format(value, "f")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _lookup(item: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def items_to_csv(items: list[dict[str, Any]], columns: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
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


def negotiate(request: Request, offers: list[str]) -> str:
    """The media type to answer with, from `format` or `Accept`; 406 when none is acceptable."""
    requested = FORMATS.get(request.query_params.get("format", ""))
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


class RepresentationRoute(APIRoute):
    """Routes that answer GET with JSON, and collections also with CSV (see module docstring)."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        response_model = kwargs.get("response_model")
        item_model = collection_item_model(response_model)
        self.csv_one_row = item_model is None and getattr(response_model, "csv_as_one_row", False)
        if self.csv_one_row:
            item_model = response_model
        is_read = set(kwargs.get("methods") or ["GET"]) <= {"GET", "HEAD"}
        self.csv_columns = csv_columns(item_model) if item_model is not None and is_read else None
        if self.csv_columns is not None:
            dependencies = list(kwargs.get("dependencies") or [])
            if not any(dep.dependency is format_parameter for dep in dependencies):
                dependencies.append(Depends(format_parameter))
            kwargs["dependencies"] = dependencies
            responses = dict(kwargs.get("responses") or {})
            ok = dict(responses.get(200, {}))
            ok.setdefault("content", {})[CSV_MEDIA_TYPE] = {
                "schema": {"type": "string", "description": "The items as CSV, one per row."}
            }
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

        async def negotiating_handler(request: Request) -> Response:
            if request.method not in ("GET", "HEAD"):
                return await handler(request)
            media_type = negotiate(request, offers)
            response = await handler(request)
            if media_type != CSV_MEDIA_TYPE or response.status_code != 200:
                return response
            return csv_response(request, response, columns, one_row)

        return negotiating_handler
