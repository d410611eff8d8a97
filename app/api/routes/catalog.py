from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import SessionDep, UrlsDep
from app.core.representations import (
    JSON_LD_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    RDF_XML_MEDIA_TYPE,
    TURTLE_MEDIA_TYPE,
    negotiate,
)
from app.services import catalog

router = APIRouter(tags=["catalog"])

# `format` value -> media type; rdflib's serializer name for each RDF syntax.
CATALOG_FORMATS = {
    "json-ld": JSON_LD_MEDIA_TYPE,
    "turtle": TURTLE_MEDIA_TYPE,
    "rdf-xml": RDF_XML_MEDIA_TYPE,
}
SERIALIZERS = {TURTLE_MEDIA_TYPE: "turtle", RDF_XML_MEDIA_TYPE: "pretty-xml"}
OFFERS = [JSON_LD_MEDIA_TYPE, TURTLE_MEDIA_TYPE, RDF_XML_MEDIA_TYPE, JSON_MEDIA_TYPE]


@router.get(
    "/catalog",
    summary="DCAT-AP 3 catalogue of this dataset (JSON-LD, Turtle, RDF/XML), for harvesters",
    response_class=Response,
    responses={
        200: {
            "description": "A `dcat:Catalog` with the dataset, its distributions (every one a "
            "complete download: the JSON export, the ZIP of CSV tables, each table as CSV, the "
            "Frictionless descriptor) and this API as a `dcat:DataService`. The same graph in "
            "each syntax, chosen by `Accept` or `format`: JSON-LD (below), and Turtle "
            "(`text/turtle`, `format=turtle`) or RDF/XML (`application/rdf+xml`, "
            "`format=rdf-xml`) as text, described here in words so that a generated client's "
            "type of the answer stays the JSON-LD document.",
            "content": {
                JSON_LD_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Catalog"}},
                JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Catalog"}},
            },
        }
    },
)
def get_catalog(
    request: Request,
    session: SessionDep,
    urls: UrlsDep,
    format: Annotated[
        Literal["json-ld", "turtle", "rdf-xml"] | None,
        Query(description="`json-ld`, `turtle` or `rdf-xml`, for tools that cannot send `Accept`."),
    ] = None,
) -> Response:
    media_type = negotiate(request, OFFERS, CATALOG_FORMATS)
    document = catalog.build_catalog(urls.root, catalog.read_facts(session))
    if media_type in SERIALIZERS:
        graph = catalog.as_graph(document)
        body = graph.serialize(format=SERIALIZERS[media_type], encoding="utf-8")
        return Response(body, media_type=f"{media_type}; charset=utf-8")
    return Response(catalog.to_json(document), media_type=media_type)
