"""Complete downloads: each table of the dataset as one CSV file, and their Frictionless Data
Package descriptor (see app/services/tables.py). No paging: a file is the whole table, streamed
from the export store like the export (app/api/stored_exports.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from app.api.deps import UrlsDep
from app.api.stored_exports import stored_response
from app.core.representations import CSV_CONTENT_TYPE, CSV_MEDIA_TYPE, JSON_MEDIA_TYPE, negotiate
from app.services import tables

router = APIRouter(prefix="/downloads", tags=["downloads"])

DATA_PACKAGE_MEDIA_TYPE = "application/json"

CsvDialect = Annotated[
    Literal["csv", "csv-excel"] | None,
    Query(
        description="`csv` (default): comma-separated, decimal point, UTF-8. `csv-excel`: for "
        "Excel with a Dutch locale: UTF-8 with byte order mark, `;`-separated, decimal comma.",
    ),
]


@router.get(
    "/datapackage.json",
    summary="Frictionless Data Package describing every table download",
    description="Table Schema for each CSV (types, enums, missing values, primary and foreign "
    "keys), licence and sources; each resource's `path` is its complete CSV download.",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_MEDIA_TYPE: {"schema": {"type": "object"}}}}},
)
def get_data_package(request: Request, urls: UrlsDep) -> JSONResponse:
    negotiate(request, [JSON_MEDIA_TYPE])
    return JSONResponse(
        tables.data_package(lambda table: urls.link("downloads", table.file_name).href),
        media_type=DATA_PACKAGE_MEDIA_TYPE,
    )


def _download_route(table: tables.Table):
    def download(request: Request, format: CsvDialect = None) -> Response:
        negotiate(request, [CSV_MEDIA_TYPE])
        dialect = format or "csv"
        suffix = "-excel" if dialect == "csv-excel" else ""
        return stored_response(
            request,
            f"{table.name}.{dialect}",
            lambda dataset: tables.table_csv_chunks(table, dataset, dialect),
            CSV_CONTENT_TYPE,
            {"Content-Disposition": f'attachment; filename="{table.name}{suffix}.csv"'},
        )

    download.__name__ = "download_" + table.name.replace("-", "_")
    return download


for _table in tables.TABLES:
    router.add_api_route(
        f"/{_table.file_name}",
        _download_route(_table),
        methods=["GET"],
        summary=f"{_table.title}: the complete table as CSV",
        description=_table.description + " Columns and types: see `datapackage.json`.",
        response_class=Response,
        responses={
            200: {
                "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
                "headers": {
                    "Content-Disposition": {
                        "description": "`attachment` with a file name.",
                        "schema": {"type": "string"},
                    }
                },
            }
        },
    )
