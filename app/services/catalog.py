"""The DCAT-AP 3 catalogue (JSON-LD) of this dataset, with the fields DCAT-AP-DONL requires.

The context is inline (no remote fetch is needed to read it). Publisher, theme and language use
the URIs of the Dutch government vocabularies (OWMS, DONL) and the EU authority tables.
"""

from datetime import datetime
from typing import Any

from app.core.publisher import (
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_URL,
    PUBLISHER_NAME,
    PUBLISHER_URI,
)

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
LANGUAGE_NL = "http://publications.europa.eu/resource/authority/language/NLD"
THEME_GOVERNANCE = "http://standaarden.overheid.nl/owms/terms/Bestuur"
ACCESS_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
FORMAT_JSON = "http://publications.europa.eu/resource/authority/file-type/JSON"
FORMAT_CSV = "http://publications.europa.eu/resource/authority/file-type/CSV"
FORMAT_ZIP = "http://publications.europa.eu/resource/authority/file-type/ZIP"
MEDIA = "https://www.iana.org/assignments/media-types/"

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
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


def _texts(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": text, "@language": language} for language, text in values.items()]


def _uri(value: str) -> dict[str, str]:
    return {"@id": value}


def _distribution(
    identifier: str,
    url: str,
    titles: dict[str, str],
    file_format: str,
    media_type: str,
    modified: dict[str, str],
) -> dict[str, Any]:
    return {
        "@id": identifier,
        "@type": "dcat:Distribution",
        "dct:title": _texts(titles),
        "dcat:accessURL": _uri(url),
        "dcat:downloadURL": _uri(url),
        "dct:format": _uri(file_format),
        "dcat:mediaType": _uri(MEDIA + media_type),
        "dct:license": _uri(CC0),
        "dct:language": _uri(LANGUAGE_NL),
        "dct:modified": modified,
    }


def build_catalog(api_root: str, modified: datetime, data_version: int) -> dict[str, Any]:
    """`api_root` is the absolute URL of /v1 as the client reached it."""
    modified_literal = {"@value": modified.isoformat(), "@type": "xsd:dateTime"}
    dataset_id = f"{api_root}/catalog#dataset"
    service_id = f"{api_root}/catalog#api"
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": CONTACT_NAME,
        "vcard:hasEmail": _uri(f"mailto:{CONTACT_EMAIL}"),
        "vcard:hasURL": _uri(CONTACT_URL),
    }
    publisher = {"@id": PUBLISHER_URI, "@type": "foaf:Agent", "foaf:name": PUBLISHER_NAME}
    dataset = {
        "@id": dataset_id,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset_id,
        "dct:title": _texts(TITLE),
        "dct:description": _texts(DESCRIPTION),
        "dct:publisher": publisher,
        "dct:license": _uri(CC0),
        "dct:accessRights": _uri(ACCESS_PUBLIC),
        "dcat:theme": _uri(THEME_GOVERNANCE),
        "dct:language": _uri(LANGUAGE_NL),
        "dct:modified": modified_literal,
        "adms:versionNotes": f"Data version {data_version}",
        "dcat:contactPoint": contact,
        "dcat:keyword": [
            {"@value": word, "@language": "nl"}
            for word in ("coalitieakkoord", "Maastricht", "voortgang", "indicatoren")
        ],
        "dcat:distribution": [
            _distribution(
                f"{api_root}/catalog#export-json",
                f"{api_root}/export",
                {"nl": "Volledige export (JSON)", "en": "Complete export (JSON)"},
                FORMAT_JSON,
                "application/json",
                modified_literal,
            ),
            _distribution(
                f"{api_root}/catalog#measurements-csv",
                f"{api_root}/measurements?format=csv&pageSize=500",
                {"nl": "Metingen (CSV)", "en": "Measurements (CSV)"},
                FORMAT_CSV,
                "text/csv",
                modified_literal,
            ),
        ],
    }
    service = {
        "@id": service_id,
        "@type": "dcat:DataService",
        "dct:identifier": service_id,
        "dct:title": _texts({"nl": "Coalitiemonitor API", "en": "Coalition monitor API"}),
        "dct:publisher": publisher,
        "dct:license": _uri(CC0),
        "dcat:contactPoint": contact,
        "dcat:endpointURL": _uri(api_root),
        "dcat:endpointDescription": _uri(f"{api_root}/openapi.json"),
        "dcat:servesDataset": _uri(dataset_id),
    }
    return {
        "@context": CONTEXT,
        "@id": f"{api_root}/catalog",
        "@type": "dcat:Catalog",
        "dct:identifier": f"{api_root}/catalog",
        "dct:title": _texts(TITLE),
        "dct:description": _texts(DESCRIPTION),
        "dct:publisher": publisher,
        "dct:license": _uri(CC0),
        "dct:language": _uri(LANGUAGE_NL),
        "dct:modified": modified_literal,
        "dcat:contactPoint": contact,
        "dcat:dataset": [dataset],
        "dcat:service": [service],
    }
