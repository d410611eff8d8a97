"""GET /v1/catalog (app/api/routes/catalog.py): DCAT-AP 3 JSON-LD with the DCAT-AP-DONL
mandatory properties, parsed as RDF with rdflib."""

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")


@pytest.fixture(scope="module")
def graph(client):
    response = client.get("/v1/catalog")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    parsed = Graph()
    parsed.parse(data=response.text, format="json-ld")
    return parsed


def _one(graph, kind):
    (subject,) = set(graph.subjects(RDF.type, kind))
    return subject


def test_dataset_has_the_donl_mandatory_properties(graph, client):
    dataset = _one(graph, DCAT.Dataset)
    for predicate in (DCTERMS.title, DCTERMS.description):
        languages = {value.language for value in graph.objects(dataset, predicate)}
        assert languages == {"nl", "en"}, predicate
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Gemeente Maastricht")
    assert graph.value(dataset, DCTERMS.license) == CC0
    assert graph.value(dataset, DCAT.theme) is not None
    assert str(graph.value(dataset, DCTERMS.language)).endswith("/language/NLD")
    modified = graph.value(dataset, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime
    assert str(modified.toPython().date()) == client.get("/v1/export").json()["generatedAt"][:10]
    assert graph.value(dataset, DCTERMS.identifier) is not None
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, VCARD.fn) is not None
    assert str(graph.value(contact, VCARD.hasEmail)).startswith("mailto:")


def test_distributions_for_the_export_and_the_csv_measurements(graph, client):
    dataset = _one(graph, DCAT.Dataset)
    distributions = list(graph.objects(dataset, DCAT.distribution))
    urls = {str(graph.value(d, DCAT.downloadURL)): d for d in distributions}
    media = {str(graph.value(d, DCAT.mediaType)).rsplit("/", 2)[-2:][-1] for d in distributions}
    assert {"json", "csv"} <= media
    for url, distribution in urls.items():
        assert graph.value(distribution, DCTERMS.license) == CC0
        assert graph.value(distribution, DCTERMS.format) is not None
        assert client.get(url).status_code == 200, url
    assert any(url.endswith("/v1/export") for url in urls)
    assert any("/v1/measurements" in url and "format=csv" in url for url in urls)


def test_the_api_is_a_data_service_described_by_the_openapi_document(graph, client):
    service = _one(graph, DCAT.DataService)
    description = str(graph.value(service, DCAT.endpointDescription))
    assert description.endswith("/v1/openapi.json")
    assert client.get(description).json()["openapi"].startswith("3.")
    assert graph.value(service, DCAT.servesDataset) == _one(graph, DCAT.Dataset)
    catalog = _one(graph, DCAT.Catalog)
    assert graph.value(catalog, DCAT.service) == service


def test_catalog_as_plain_json_and_406(client):
    assert client.get("/v1/catalog", headers={"Accept": "application/json"}).json()["@type"] == (
        "dcat:Catalog"
    )
    assert client.get("/v1/catalog", headers={"Accept": "text/csv"}).status_code == 406
