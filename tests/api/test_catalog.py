"""GET /v1/catalog (app/api/routes/catalog.py): a DCAT-AP 3 catalogue with the DCAT-AP-DONL
fields, in JSON-LD, Turtle and RDF/XML, validated against the official DCAT-AP 3.0.0 SHACL
shapes (pyshacl, offline, no inference), and every distribution a complete download."""

import csv
import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from tests.conftest import REPOSITORY, collect

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
OVERHEID = Namespace("http://standaarden.overheid.nl/owms/terms/")
SH = Namespace("http://www.w3.org/ns/shacl#")
DONL_CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/deed.nl")
MAASTRICHT = OVERHEID["Maastricht_(gemeente)"]
SYNTAXES = {
    "json-ld": ("application/ld+json", "json-ld"),
    "turtle": ("text/turtle", "turtle"),
    "rdf-xml": ("application/rdf+xml", "xml"),
}


def shapes_directory() -> Path:
    """The vendored official shapes: `shared/dcat-ap-3.0.0` beside the repository (or beside
    one of its parents, for a worktree)."""
    for folder in REPOSITORY.parents:
        candidate = folder / "shared" / "dcat-ap-3.0.0"
        if (candidate / "dcat-ap-SHACL.ttl").is_file():
            return candidate
    raise AssertionError("the DCAT-AP 3.0.0 shapes (shared/dcat-ap-3.0.0) are not beside the repo")


def _parse(response: httpx.Response, syntax: str) -> Graph:
    media_type, parser = SYNTAXES[syntax]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    return Graph().parse(data=response.content, format=parser)


@pytest.fixture(scope="module")
def graphs(client) -> dict[str, Graph]:
    by_accept = {
        syntax: _parse(client.get("/v1/catalog", headers={"Accept": media_type}), syntax)
        for syntax, (media_type, _) in SYNTAXES.items()
    }
    by_format = {
        syntax: _parse(client.get(f"/v1/catalog?format={syntax}"), syntax) for syntax in SYNTAXES
    }
    for syntax in SYNTAXES:
        assert isomorphic(by_accept[syntax], by_format[syntax]), syntax
    return by_accept


@pytest.fixture(scope="module")
def graph(graphs) -> Graph:
    return graphs["json-ld"]


def _one(graph, kind):
    (subject,) = set(graph.subjects(RDF.type, kind))
    return subject


def test_the_three_syntaxes_are_one_graph(graphs):
    assert len(graphs["json-ld"]) > 200
    assert isomorphic(graphs["json-ld"], graphs["turtle"])
    assert isomorphic(graphs["json-ld"], graphs["rdf-xml"])


@pytest.mark.parametrize("syntax", SYNTAXES)
@pytest.mark.parametrize("shapes", ["dcat-ap-SHACL.ttl", "shapes_recommended.ttl"])
def test_the_official_dcat_ap_shapes_find_nothing(graphs, syntax, shapes):
    shapes_graph = Graph().parse(shapes_directory() / shapes)
    conforms, results, text = validate(
        graphs[syntax], shacl_graph=shapes_graph, inference="none", advanced=True
    )
    findings = list(results.subjects(RDF.type, SH.ValidationResult))
    # Not only violations: the recommended shapes report warnings, and those count too.
    assert findings == [], text
    assert conforms


def test_the_shapes_do_report_a_catalogue_missing_its_typed_nodes(graph):
    untyped = Graph()
    for triple in graph:
        if triple[1] == RDF.type and triple[2] == DCTERMS.LicenseDocument:
            continue
        untyped.add(triple)
    shapes_graph = Graph().parse(shapes_directory() / "dcat-ap-SHACL.ttl")
    conforms, _, text = validate(untyped, shacl_graph=shapes_graph, inference="none")
    assert not conforms
    assert "LicenseDocument" in text


def test_dataset_has_the_donl_properties(graph, client):
    dataset = _one(graph, DCAT.Dataset)
    catalog = _one(graph, DCAT.Catalog)
    for predicate in (DCTERMS.title, DCTERMS.description):
        languages = {value.language for value in graph.objects(dataset, predicate)}
        assert languages == {"nl", "en"}, predicate
    for predicate in (DCTERMS.publisher, DCTERMS.creator, OVERHEID.authority):
        assert graph.value(dataset, predicate) == MAASTRICHT, predicate
    assert graph.value(MAASTRICHT, FOAF.name) == Literal("Gemeente Maastricht")
    assert graph.value(dataset, ADMS.status) == URIRef("http://data.overheid.nl/status/beschikbaar")
    assert graph.value(dataset, DCTERMS.license) == DONL_CC0
    theme = graph.value(dataset, DCAT.theme)
    assert graph.value(theme, SKOS.inScheme) == graph.value(catalog, DCAT.themeTaxonomy)
    assert str(graph.value(dataset, DCTERMS.language)).endswith("/language/NLD")
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, VCARD.fn) is not None
    assert str(graph.value(contact, VCARD.hasEmail)).startswith("mailto:")
    for distribution in graph.objects(dataset, DCAT.distribution):
        languages = {value.language for value in graph.objects(distribution, DCTERMS.description)}
        assert languages == {"nl", "en"}, distribution
        assert graph.value(distribution, DCTERMS.license) == DONL_CC0


def test_dates_places_and_periods_come_from_the_data(graph, client, seed_data):
    dataset = _one(graph, DCAT.Dataset)
    document = client.get("/v1/export").json()
    modified = graph.value(dataset, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime
    assert modified.toPython().isoformat() == document["generatedAt"].replace("Z", "+00:00")
    report_date = max(
        status["asOf"] for status in document["statuses"] if status["recordedAt"] is None
    )
    assert str(graph.value(dataset, DCTERMS.issued)) == report_date
    assert graph.value(dataset, DCTERMS.spatial) == MAASTRICHT
    assert (MAASTRICHT, RDF.type, DCTERMS.Location) in graph
    spans = {
        (int(graph.value(period, DCAT.startDate)), int(graph.value(period, DCAT.endDate)))
        for period in graph.objects(dataset, DCTERMS.temporal)
    }
    measurements = document["measurements"]
    measured = (
        min(item["periodStart"] for item in measurements),
        max(item["periodEnd"] for item in measurements),
    )
    assert spans == {(2018, 2022), measured}


def test_the_api_is_a_data_service_described_by_the_openapi_document(graph, client):
    service = _one(graph, DCAT.DataService)
    description = str(graph.value(service, DCAT.endpointDescription))
    assert description.endswith("/v1/openapi.json")
    assert client.get(description).json()["openapi"].startswith("3.")
    assert graph.value(service, DCTERMS.conformsTo) is not None
    assert graph.value(service, DCAT.servesDataset) == _one(graph, DCAT.Dataset)
    assert graph.value(_one(graph, DCAT.Catalog), DCAT.service) == service


def test_catalog_as_plain_json_and_what_it_refuses(client):
    document = client.get("/v1/catalog", headers={"Accept": "application/json"}).json()
    types = [node["@type"] for node in document["@graph"]]
    assert "dcat:Catalog" in types and "dcat:Dataset" in types
    assert client.get("/v1/catalog", headers={"Accept": "text/csv"}).status_code == 406
    assert client.get("/v1/catalog?format=csv").status_code == 400


def _rows(content: bytes) -> int:
    return len(list(csv.DictReader(io.StringIO(content.decode("utf-8")))))


def _expected_rows(export: dict, client) -> dict[str, int]:
    """Row counts per table, from the API's collections."""
    goals = collect(client, "/v1/goals?pageSize=500")
    statuses = [
        status
        for goal in goals
        for status in collect(client, f"/v1/goals/{goal['code']}/statuses?pageSize=500")
    ]
    metrics = collect(client, "/v1/metrics?pageSize=500")
    return {
        "perspectives": len(collect(client, "/v1/perspectives")),
        "goals": len(goals),
        "goal-cross-references": sum(len(goal["crossReferences"]) for goal in goals),
        "goal-links": sum(len(goal["links"]) for goal in goals),
        "statuses": len(statuses),
        "status-shared-goals": sum(len(status["sharedWith"]) for status in statuses),
        "indicators": len(collect(client, "/v1/indicators?pageSize=500")),
        "metrics": len(metrics),
        "metric-notes": sum(len(metric["notes"]) for metric in metrics),
        "measurements": len(collect(client, "/v1/measurements?pageSize=500")),
        "units": len(collect(client, "/v1/units?pageSize=500")),
        "milestones": len(collect(client, "/v1/milestones?pageSize=500")),
        "targets": len(collect(client, "/v1/targets?pageSize=500")),
    }


def _check_every_download_is_complete(base_url: str, client) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        graph = Graph().parse(
            data=http.get("/v1/catalog", headers={"Accept": "text/turtle"}).content,
            format="turtle",
        )
        export = http.get("/v1/export").json()
        expected = _expected_rows(export, client)
        assert expected["measurements"] > 0
        seen_tables = set()
        for distribution in graph.subjects(RDF.type, DCAT.Distribution):
            url = str(graph.value(distribution, DCAT.downloadURL))
            assert url.startswith(base_url), url
            response = http.get(url)
            assert response.status_code == 200, url
            media_type = str(graph.value(distribution, DCAT.mediaType)).split("media-types/")[1]
            assert response.headers["content-type"].split(";")[0] == media_type, url
            if url.endswith(".csv"):
                table = url.rsplit("/", 1)[1].removesuffix(".csv")
                assert _rows(response.content) == expected[table], url
                seen_tables.add(table)
            elif media_type == "application/zip":
                archive = zipfile.ZipFile(io.BytesIO(response.content))
                for table, count in expected.items():
                    assert _rows(archive.read(f"{table}.csv")) == count, table
                assert "datapackage.json" in archive.namelist()
            elif url.endswith("datapackage.json"):
                resources = response.json()["resources"]
                assert {resource["name"] for resource in resources} == set(expected)
            else:
                for key in ("goals", "statuses", "indicators", "metrics", "measurements"):
                    assert len(response.json()[key]) == expected[key], key
        assert seen_tables == set(expected)


def test_every_download_url_is_complete_on_a_real_server(live_server, client):
    _check_every_download_is_complete(live_server, client)


def test_every_download_url_is_complete_past_one_page(scaled_live_server, scaled_client):
    # More measurements and statuses than the largest page: nothing is cut off.
    _check_every_download_is_complete(scaled_live_server, scaled_client)
    assert len(collect(scaled_client, "/v1/measurements?pageSize=500")) > 500, (
        "the scaled database should hold more than one page"
    )


def test_catalogue_json_ld_needs_no_remote_context(client):
    document = json.loads(client.get("/v1/catalog").content)
    assert isinstance(document["@context"], dict)
