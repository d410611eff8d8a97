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
    csv_columns,
    items_to_csv,
    negotiate,
    parse_json_keeping_decimals,
)
from app.services import export

router = APIRouter(tags=["export"])

# File in the ZIP -> (property of the JSON export, item model): the same shapes as the JSON.
CSV_FILES = {
    "perspectives.csv": ("perspectives", schemas.PerspectiveOut),
    "goals.csv": ("goals", schemas.GoalOut),
    "statuses.csv": ("statuses", schemas.StatusUpdateOut),
    "indicators.csv": ("indicators", schemas.IndicatorOut),
    "metrics.csv": ("metrics", schemas.MetricOut),
    "measurements.csv": ("measurements", schemas.MeasurementOut),
    "units.csv": ("units", schemas.UnitOut),
    "milestones.csv": ("milestones", schemas.MilestoneOut),
    "targets.csv": ("targets", schemas.TargetOut),
}


@router.get(
    "/export",
    response_model=schemas.ExportDocument,
    summary="The complete dataset in one document (JSON), or as a ZIP of CSV files",
    description="`Accept: application/zip` (or `format=zip`) gives one CSV file per list, "
    "with the columns of the CSV collections. Lists keep the order of their collections.",
    responses={
        200: {
            "description": "The dataset.",
            "content": {ZIP_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"Content-Disposition": CONTENT_DISPOSITION_DOC},
        }
    },
)
def export_everything(
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
    document = export_document(urls, dataset)
    if media_type != ZIP_MEDIA_TYPE:
        return document
    rows = parse_json_keeping_decimals(document.model_dump_json(by_alias=True))
    files = {
        name: items_to_csv(rows[key], csv_columns(model))
        for name, (key, model) in CSV_FILES.items()
    }
    return Response(
        export.zip_of_files(files, dataset.modified),
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
