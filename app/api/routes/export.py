"""The bulk export, streamed from the export store (app/api/stored_exports.py), so that it is
generated once per data version and representation, in constant memory."""

from collections.abc import Iterator
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import TypeAdapter
from starlette.responses import Response

from app import schemas
from app.api import presenters
from app.api.deps import UrlsDep
from app.api.presenters import Urls
from app.api.stored_exports import stored_response
from app.core.representations import (
    CONTENT_DISPOSITION_DOC,
    JSON_MEDIA_TYPE,
    ZIP_MEDIA_TYPE,
    negotiate,
)
from app.services import export, tables

router = APIRouter(tags=["export"])

ZIP_DISPOSITION = 'attachment; filename="coalition-monitor.zip"'


@router.get(
    "/export",
    response_model=schemas.ExportDocument,
    summary="The complete dataset in one document (JSON), or as a ZIP of CSV files",
    description="`Accept: application/zip` (or `format=zip`) gives the dataset as flat, "
    "normalised CSV tables joined by codes, with their Frictionless `datapackage.json` (the "
    "same files as `/downloads`). Lists keep the order of their collections. The export is "
    "streamed, and generated once per data version: the ETag names the data version, so "
    "`If-None-Match` is answered at once.",
    responses={
        200: {
            "description": "The dataset as JSON; or, with `format=zip` or "
            "`Accept: application/zip`, a ZIP of CSV files (the JSON body is what generated "
            "clients type).",
            "headers": {"Content-Disposition": CONTENT_DISPOSITION_DOC},
        }
    },
)
def get_export(
    request: Request,
    urls: UrlsDep,
    format: Annotated[
        Literal["json", "zip"] | None,
        Query(description="`json` or `zip`, for tools that cannot send `Accept`."),
    ] = None,
) -> Response:
    if negotiate(request, [JSON_MEDIA_TYPE, ZIP_MEDIA_TYPE]) == ZIP_MEDIA_TYPE:
        headers = {"Content-Disposition": ZIP_DISPOSITION}
        return stored_response(request, "zip", zip_chunks, ZIP_MEDIA_TYPE, headers)
    return stored_response(request, "json", partial(document_chunks, urls), JSON_MEDIA_TYPE)


def export_document(urls: Urls, dataset: export.Dataset) -> schemas.ExportDocument:
    return schemas.ExportDocument(
        generated_at=dataset.modified,
        data_version=dataset.data_version,
        perspectives=[presenters.perspective(urls, view) for view in dataset.perspectives],
        goals=[presenters.goal(urls, view) for view in dataset.goals],
        statuses=[presenters.status_update(urls, view) for view in dataset.statuses],
        indicators=[presenters.indicator(urls, view) for view in dataset.indicators],
        metrics=[presenters.metric(urls, view) for view in dataset.metrics],
        measurements=[presenters.measurement(urls, view) for view in dataset.measurements],
        units=[presenters.unit(urls, record) for record in dataset.units],
        milestones=[presenters.milestone(urls, record) for record in dataset.milestones],
        targets=[presenters.target(urls, view) for view in dataset.targets],
        links_=schemas.ExportLinks(self_=urls.link("export"), catalog=urls.link("catalog")),
    )


# (property, list of the Dataset, presenter, its shape) in the order of ExportDocument.
_LISTS = (
    ("perspectives", "perspectives", presenters.perspective, schemas.PerspectiveOut),
    ("goals", "goals", presenters.goal, schemas.GoalOut),
    ("statuses", "statuses", presenters.status_update, schemas.StatusUpdateOut),
    ("indicators", "indicators", presenters.indicator, schemas.IndicatorOut),
    ("metrics", "metrics", presenters.metric, schemas.MetricOut),
    ("measurements", "measurements", presenters.measurement, schemas.MeasurementOut),
    ("units", "units", presenters.unit, schemas.UnitOut),
    ("milestones", "milestones", presenters.milestone, schemas.MilestoneOut),
    ("targets", "targets", presenters.target, schemas.TargetOut),
)
_DOCUMENT = TypeAdapter(schemas.ExportDocument)
# Items encoded into one piece.
_BATCH = 200


def document_chunks(urls: Urls, dataset: export.Dataset) -> Iterator[bytes]:
    """`export_document` encoded as FastAPI encodes it (Pydantic's JSON of the document), item
    by item: the document without items, with each list filled in as it is read."""
    shell = export_document(urls, export.Dataset(dataset.data_version, dataset.modified, *[[]] * 9))
    rest = _DOCUMENT.dump_json(shell, by_alias=True)
    for name, part, present, shape in _LISTS:
        before, rest = rest.split(b'"%s":[]' % name.encode(), 1)
        yield before + b'"%s":[' % name.encode()
        yield from _encoded_items(urls, getattr(dataset, part), present, TypeAdapter(shape))
        yield b"]"
    yield rest


def _encoded_items(urls: Urls, views, present, adapter: TypeAdapter) -> Iterator[bytes]:
    piece, first = bytearray(), True
    for count, view in enumerate(views, start=1):
        if not first:
            piece += b","
        piece += adapter.dump_json(present(urls, view), by_alias=True)
        first = False
        if count % _BATCH == 0:
            yield bytes(piece)
            piece.clear()
    yield bytes(piece)


def zip_chunks(dataset: export.Dataset) -> Iterator[bytes]:
    return export.zip_chunks(tables.package_file_chunks(dataset), dataset.modified)
