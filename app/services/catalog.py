"""The DCAT-AP 3 catalogue of this dataset, with the fields DCAT-AP-DONL asks for.

It is written as JSON-LD (inline context, so no remote fetch is needed to read it) and served
as Turtle and RDF/XML by parsing that same document with rdflib, so the three are one graph.

It validates against the official DCAT-AP 3.0.0 SHACL shapes without RDFS inference: every
node a shape expects a class of (licence, language, format, media type, theme, location ...)
is typed in the graph itself. Publisher, authority, theme, status and licence use the URIs of
the Dutch government vocabularies (OWMS, DONL), language, access rights, file types and
availability the EU authority tables, the agent and licence types ADMS.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from rdflib import Graph
from sqlmodel import Session

from app.core.publisher import (
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_URL,
    PUBLISHER_NAME,
    PUBLISHER_URI,
)
from app.models import Measurement
from app.services import export
from app.services.tables import TABLES

# The CC0 entry of the DONL licence list.
LICENSE = "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"
LICENSE_TYPE = "http://purl.org/adms/licencetype/PublicDomain"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/LocalAuthority"
LANGUAGE_NL = "http://publications.europa.eu/resource/authority/language/NLD"
ACCESS_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
AVAILABILITY_STABLE = "http://publications.europa.eu/resource/authority/planned-availability/STABLE"
THEME_TAXONOMY = "http://standaarden.overheid.nl/owms/terms/TaxonomieBeleidsagenda"
THEME_GOVERNANCE = "http://standaarden.overheid.nl/owms/terms/Bestuur"
STATUS_AVAILABLE = "http://data.overheid.nl/status/beschikbaar"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA = "https://www.iana.org/assignments/media-types/"
OPENAPI_STANDARD = "https://spec.openapis.org/oas/v3.1.0"
DATA_PACKAGE_STANDARD = "https://specs.frictionlessdata.io/data-package/"
TABLE_SCHEMA_STANDARD = "https://specs.frictionlessdata.io/table-schema/"
# The municipality's extent (WGS 84, GeoSPARQL WKT, longitude first): its town-hall coordinates
# 50°51′N 5°41′E as centre, and a box around the municipal territory rounded outwards to 0.01°.
MAASTRICHT_CENTROID = "POINT(5.683 50.850)"
MAASTRICHT_BBOX = "POLYGON((5.63 50.80,5.77 50.80,5.77 50.92,5.63 50.92,5.63 50.80))"
# The coalition agreement's term.
COALITION_TERM = ("2018", "2022")

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "locn": "http://www.w3.org/ns/locn#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "overheid": "http://standaarden.overheid.nl/owms/terms/",
}

TITLE = {
    "nl": "Voortgang Hoofdlijnenakkoord coalitie Maastricht 2018-2022",
    "en": "Progress of the Maastricht coalition agreement 2018-2022",
}
DESCRIPTION = {
    "nl": "Doelen, statusupdates, indicatoren en metingen uit de voortgangsrapportage "
    "'Hoofdlijnenakkoord coalitie 2018 - 2022, stand van zaken februari 2022' van de gemeente "
    "Maastricht, als open data.",
    "en": "Goals, status updates, indicators and measurements from the Maastricht "
    "coalition-agreement progress report (February 2022), as open data.",
}
KEYWORDS = ("coalitieakkoord", "Maastricht", "voortgang", "indicatoren")


@dataclass(frozen=True)
class CatalogFacts:
    """What the catalogue says about the data, read from the data."""

    modified: datetime
    issued: date
    data_version: int
    first_year: int
    last_year: int


def _texts(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": text, "@language": language} for language, text in values.items()]


def _uri(value: str) -> dict[str, str]:
    return {"@id": value}


def _typed(value: str, *kinds: str, **properties: Any) -> dict[str, Any]:
    return {"@id": value, "@type": list(kinds) if len(kinds) > 1 else kinds[0], **properties}


def _literal(value: str, datatype: str) -> dict[str, str]:
    return {"@value": value, "@type": datatype}


def _concept(value: str, label: str, scheme: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"skos:prefLabel": label}
    if scheme is not None:
        properties["skos:inScheme"] = _uri(scheme)
    return _typed(value, "skos:Concept", **properties)


def _period(identifier: str, start: str, end: str) -> dict[str, Any]:
    return _typed(
        identifier,
        "dct:PeriodOfTime",
        **{"dcat:startDate": _literal(start, "xsd:gYear")},
        **{"dcat:endDate": _literal(end, "xsd:gYear")},
    )


def _vocabulary() -> list[dict[str, Any]]:
    """The typed nodes of the controlled vocabularies the catalogue refers to."""
    file_types = [
        _typed(FILE_TYPE + name, "dct:MediaTypeOrExtent", **{"skos:prefLabel": name})
        for name in ("CSV", "JSON", "ZIP")
    ]
    media_types = [_typed(MEDIA + name, "dct:MediaType") for name in _MEDIA_TYPES.values() if name]
    return [
        _typed(
            LICENSE,
            "dct:LicenseDocument",
            **{"dct:type": _uri(LICENSE_TYPE), "skos:prefLabel": "CC0 1.0"},
        ),
        _concept(LICENSE_TYPE, "Public domain"),
        _concept(PUBLISHER_TYPE, "Local Authority"),
        _typed(LANGUAGE_NL, "dct:LinguisticSystem", **{"skos:prefLabel": "Nederlands"}),
        _typed(ACCESS_PUBLIC, "dct:RightsStatement", **{"skos:prefLabel": "public"}),
        _concept(AVAILABILITY_STABLE, "stable"),
        _concept(STATUS_AVAILABLE, "Beschikbaar"),
        _typed(THEME_TAXONOMY, "skos:ConceptScheme", **{"dct:title": "Beleidsagenda"}),
        _concept(THEME_GOVERNANCE, "Bestuur", THEME_TAXONOMY),
        *[
            _typed(standard, "dct:Standard")
            for standard in (OPENAPI_STANDARD, DATA_PACKAGE_STANDARD, TABLE_SCHEMA_STANDARD)
        ],
        *file_types,
        *media_types,
    ]


_MEDIA_TYPES = {"CSV": "text/csv", "JSON": "application/json", "ZIP": "application/zip"}


@dataclass(frozen=True)
class _Download:
    key: str
    url: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    file_type: str
    conforms_to: str | None = None


def _downloads(api_root: str) -> list[_Download]:
    downloads = [
        _Download(
            "export-json",
            f"{api_root}/export",
            {"nl": "Volledige export (JSON)", "en": "Complete export (JSON)"},
            {
                "nl": "De hele dataset in één JSON-document, in de vorm van de API-collecties.",
                "en": "The whole dataset in one JSON document, in the shape of the API's "
                "collections.",
            },
            "JSON",
        ),
        _Download(
            "export-zip",
            f"{api_root}/export?format=zip",
            {"nl": "Volledige export (ZIP met CSV)", "en": "Complete export (ZIP of CSV)"},
            {
                "nl": "Alle tabellen als CSV-bestanden met hun Frictionless datapackage.json.",
                "en": "Every table as a CSV file, with their Frictionless datapackage.json.",
            },
            "ZIP",
            DATA_PACKAGE_STANDARD,
        ),
        _Download(
            "datapackage",
            f"{api_root}/downloads/datapackage.json",
            {"nl": "Datapakketbeschrijving", "en": "Data package descriptor"},
            {
                "nl": "Frictionless Data Package: kolommen, typen, sleutels en licentie van elke "
                "CSV-tabel.",
                "en": "Frictionless Data Package: columns, types, keys and licence of every CSV "
                "table.",
            },
            "JSON",
            DATA_PACKAGE_STANDARD,
        ),
    ]
    for table in TABLES:
        downloads.append(
            _Download(
                f"{table.name}-csv",
                f"{api_root}/downloads/{table.file_name}",
                {"nl": f"{table.title} (CSV)", "en": f"{table.title} (CSV)"},
                {
                    "nl": f"De volledige tabel {table.name} als CSV (UTF-8, komma); met "
                    "?format=csv-excel voor Excel met Nederlandse instellingen.",
                    "en": f"{table.description} The complete table as CSV (UTF-8, comma); "
                    "?format=csv-excel for Excel with a Dutch locale.",
                },
                "CSV",
                TABLE_SCHEMA_STANDARD,
            )
        )
    return downloads


def _distribution(
    api_root: str, download: _Download, modified: dict[str, str], issued: dict[str, str]
) -> dict[str, Any]:
    distribution = {
        "@id": f"{api_root}/catalog#{download.key}",
        "@type": "dcat:Distribution",
        "dct:title": _texts(download.titles),
        "dct:description": _texts(download.descriptions),
        "dcat:accessURL": _typed(download.url, "rdfs:Resource"),
        "dcat:downloadURL": _typed(download.url, "rdfs:Resource"),
        "dct:format": _uri(FILE_TYPE + download.file_type),
        "dcat:mediaType": _uri(MEDIA + _MEDIA_TYPES[download.file_type]),
        "dct:license": _uri(LICENSE),
        "dct:language": _uri(LANGUAGE_NL),
        "dct:issued": issued,
        "dct:modified": modified,
        "dcatap:availability": _uri(AVAILABILITY_STABLE),
        "adms:status": _uri(STATUS_AVAILABLE),
    }
    if download.conforms_to is not None:
        distribution["dct:conformsTo"] = _uri(download.conforms_to)
    return distribution


def build_catalog(api_root: str, facts: CatalogFacts) -> dict[str, Any]:
    """`api_root` is the absolute URL of /v1 as the client reached it."""
    catalog_id = f"{api_root}/catalog"
    dataset_id = f"{catalog_id}#dataset"
    service_id = f"{catalog_id}#api"
    modified = _literal(facts.modified.isoformat(), "xsd:dateTime")
    issued = _literal(facts.issued.isoformat(), "xsd:date")
    contact = {
        "@type": ["vcard:Kind", "vcard:Organization"],
        "vcard:fn": CONTACT_NAME,
        "vcard:hasEmail": _uri(f"mailto:{CONTACT_EMAIL}"),
        "vcard:hasURL": _uri(CONTACT_URL),
    }
    keywords = [{"@value": word, "@language": "nl"} for word in KEYWORDS]
    # The municipality is both the organisation that publishes and the area the data covers
    # (DONL names both with the same OWMS term).
    municipality = _typed(
        PUBLISHER_URI,
        "foaf:Agent",
        "foaf:Organization",
        "dct:Location",
        **{
            "foaf:name": PUBLISHER_NAME,
            "dct:type": _uri(PUBLISHER_TYPE),
            "skos:prefLabel": "Maastricht",
            "dcat:centroid": _literal(MAASTRICHT_CENTROID, "gsp:wktLiteral"),
            "dcat:bbox": _literal(MAASTRICHT_BBOX, "gsp:wktLiteral"),
        },
    )
    common = {
        "dct:publisher": _uri(PUBLISHER_URI),
        "dct:creator": _uri(PUBLISHER_URI),
        "overheid:authority": _uri(PUBLISHER_URI),
        "dct:license": _uri(LICENSE),
        "dct:accessRights": _uri(ACCESS_PUBLIC),
        "dct:language": _uri(LANGUAGE_NL),
        "dct:spatial": _uri(PUBLISHER_URI),
        "dcat:theme": _uri(THEME_GOVERNANCE),
        "dcat:keyword": keywords,
        "dcat:contactPoint": contact,
        "dct:issued": issued,
        "dct:modified": modified,
    }
    dataset = {
        "@id": dataset_id,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset_id,
        "dct:title": _texts(TITLE),
        "dct:description": _texts(DESCRIPTION),
        **common,
        "adms:status": _uri(STATUS_AVAILABLE),
        "adms:versionNotes": f"Data version {facts.data_version}",
        "dct:temporal": [
            _period(f"{catalog_id}#coalition-term", *COALITION_TERM),
            _period(f"{catalog_id}#measurement-years", str(facts.first_year), str(facts.last_year)),
        ],
        "foaf:landingPage": _typed(f"{api_root}", "foaf:Document"),
        "dcat:distribution": [
            _distribution(api_root, download, modified, issued) for download in _downloads(api_root)
        ],
    }
    service = {
        "@id": service_id,
        "@type": "dcat:DataService",
        "dct:identifier": service_id,
        "dct:title": _texts({"nl": "Coalitiemonitor API", "en": "Coalition monitor API"}),
        "dct:description": _texts(
            {
                "nl": "REST API (JSON en CSV) met de gegevens van de dataset.",
                "en": "REST API (JSON and CSV) serving the dataset.",
            }
        ),
        **common,
        "dct:conformsTo": _uri(OPENAPI_STANDARD),
        "dcat:endpointURL": _typed(api_root, "rdfs:Resource"),
        "dcat:endpointDescription": _typed(f"{api_root}/openapi.json", "rdfs:Resource"),
        "dcat:servesDataset": _uri(dataset_id),
    }
    catalog = {
        "@id": catalog_id,
        "@type": "dcat:Catalog",
        "dct:identifier": catalog_id,
        "dct:title": _texts(TITLE),
        "dct:description": _texts(DESCRIPTION),
        "dct:publisher": _uri(PUBLISHER_URI),
        "dct:creator": _uri(PUBLISHER_URI),
        "dct:license": _uri(LICENSE),
        "dct:language": _uri(LANGUAGE_NL),
        "dct:spatial": _uri(PUBLISHER_URI),
        "dct:issued": issued,
        "dct:modified": modified,
        "foaf:homepage": _typed(f"{api_root}", "foaf:Document"),
        "dcat:themeTaxonomy": _uri(THEME_TAXONOMY),
        "dcat:contactPoint": contact,
        "dcat:dataset": [_uri(dataset_id)],
        "dcat:service": [_uri(service_id)],
    }
    return {
        "@context": CONTEXT,
        "@graph": [catalog, dataset, service, municipality, *_vocabulary()],
    }


def read_facts(session: Session) -> CatalogFacts:
    first_year, last_year = session.execute(
        sa.select(sa.func.min(Measurement.period_start), sa.func.max(Measurement.period_end))
    ).one()
    return CatalogFacts(
        modified=export.last_modified(session),
        issued=export.report_date(session),
        data_version=export.data_version(session),
        first_year=first_year if first_year is not None else int(COALITION_TERM[0]),
        last_year=last_year if last_year is not None else int(COALITION_TERM[1]),
    )


def as_graph(document: dict[str, Any]) -> Graph:
    """The catalogue as an rdflib graph, to serialise as Turtle or RDF/XML."""
    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace)
    return graph


def to_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
