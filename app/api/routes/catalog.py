from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import SessionDep, UrlsDep
from app.core.representations import JSON_LD_MEDIA_TYPE, JSON_MEDIA_TYPE, negotiate
from app.services import catalog, export

router = APIRouter(tags=["catalog"])


@router.get(
    "/catalog",
    summary="DCAT-AP 3 catalogue of this dataset (JSON-LD), for open-data harvesters",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "A `dcat:Catalog` with the dataset, its distributions (JSON export, "
            "CSV measurements) and this API as a `dcat:DataService`.",
            "content": {
                JSON_LD_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Catalog"}},
                JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Catalog"}},
            },
        }
    },
)
def get_catalog(request: Request, session: SessionDep, urls: UrlsDep) -> JSONResponse:
    media_type = negotiate(request, [JSON_LD_MEDIA_TYPE, JSON_MEDIA_TYPE])
    document = catalog.build_catalog(
        urls.root, export.last_modified(session), export.data_version(session)
    )
    return JSONResponse(document, media_type=media_type)
