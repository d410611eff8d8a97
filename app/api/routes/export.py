from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import schemas
from app.api import presenters
from app.api.deps import SessionDep, UrlsDep
from app.api.presenters import Urls
from app.core.representations import (
    CONTENT_DISPOSITION_DOC,
    JSON_MEDIA_TYPE,
    ZIP_MEDIA_TYPE,
    negotiate,
)
from app.services import export, tables

router = APIRouter(tags=["export"])


@router.get(
    "/export",
    response_model=schemas.ExportDocument,
    summary="The complete dataset in one document (JSON), or as a ZIP of CSV files",
    description="`Accept: application/zip` (or `format=zip`) gives the dataset as flat, "
    "normalised CSV tables joined by codes, with their Frictionless `datapackage.json` (the "
    "same files as `/downloads`). Lists keep the order of their collections.",
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
    session: SessionDep,
    urls: UrlsDep,
    format: Annotated[
        Literal["json", "zip"] | None,
        Query(description="`json` or `zip`, for tools that cannot send `Accept`."),
    ] = None,
):
    media_type = negotiate(request, [JSON_MEDIA_TYPE, ZIP_MEDIA_TYPE])
    dataset = export.read_dataset(session)
    if media_type != ZIP_MEDIA_TYPE:
        return export_document(urls, dataset)
    return Response(
        export.zip_of_files(tables.package_files(dataset), dataset.modified),
        media_type=ZIP_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="coalition-monitor.zip"'},
    )


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
