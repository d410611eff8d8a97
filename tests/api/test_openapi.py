"""The committed openapi.json is the app's, and it describes every response."""

import json
import re
from pathlib import Path

from app.cli import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"


def test_committed_openapi_matches_the_app():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "openapi.json is stale: run `coalition-monitor openapi`"
    )


def test_openapi_is_served_with_open_cors(client):
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_every_response_is_described_with_its_headers(client):
    document = client.get("/v1/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "422" not in responses, (path, method)
            assert {"200", "201"} & set(responses), (path, method)
            assert "500" in responses
            for response in responses.values():
                assert "API-Version" in response["headers"], (path, method)
            if operation.get("parameters"):
                problem = responses["400"]["content"]["application/problem+json"]
                assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
            if "{code}" in path:
                assert "application/problem+json" in responses["404"]["content"]
    assert document["info"]["version"].count(".") == 2


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_operation_ids_are_short_camel_case_verbs(client):
    document = client.get("/v1/openapi.json").json()
    ids = {operation["operationId"] for _, _, operation in _operations(document)}
    assert {"listGoals", "getGoal", "listGoalStatuses", "createGoalStatus", "getGoalStatus"} <= ids
    assert {"putMeasurement", "getMeasurement", "listMeasurements", "getCatalog"} <= ids
    for operation_id in ids:
        assert re.fullmatch(r"(list|get|create|put|search|download)[A-Z][A-Za-z]*", operation_id)


def test_generated_clients_get_clean_types(client):
    document = client.get("/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path, method, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            # No "Asof"-style generated titles and no "string | (string | null)".
            assert "title" not in schema, (path, parameter["name"])
            assert "anyOf" not in schema, (path, parameter["name"])
            if schema.get("type") == "array":
                assert (parameter["style"], parameter["explode"]) == ("form", True)
        body = operation.get("requestBody")
        if body:
            assert body["content"]["application/json"]["schema"]["$ref"].startswith(
                "#/components/schemas/"
            )
        ok = operation["responses"].get("200", operation["responses"].get("201"))
        media_types = set(ok.get("content", {}))
        # One body type per success: JSON (the catalogue also as JSON-LD, the same schema), or
        # a single other type for a resource that is only a file (a CSV table, an SVG chart).
        json_only = media_types <= {"application/json", "application/ld+json"}
        assert json_only or len(media_types) == 1, (path, method)
        for status, response in operation["responses"].items():
            if status >= "400":
                assert set(response["content"]) == {"application/problem+json"}
    for name, schema in schemas.items():
        for prop_name, prop in schema.get("properties", {}).items():
            assert "title" not in prop, (name, prop_name)
            if prop_name not in schema.get("required", []) and not name.endswith("In"):
                assert "anyOf" not in prop and "default" not in prop, (name, prop_name)
    problem = schemas["Problem"]
    assert "invalidParams" not in problem["required"]
    assert problem["properties"]["invalidParams"]["items"] == {
        "$ref": "#/components/schemas/InvalidParam"
    }
    assert schemas["InvalidParam"]["required"] == ["name", "reason"]
    catalog = document["paths"]["/catalog"]["get"]["responses"]["200"]["content"]
    assert catalog["application/ld+json"]["schema"] == {"$ref": "#/components/schemas/Catalog"}


def test_the_document_states_the_rules_the_server_enforces(client):
    document = client.get("/v1/openapi.json").json()
    goals = {p["name"]: p["schema"] for p in document["paths"]["/goals"]["get"]["parameters"]}
    assert goals["cursor"]["pattern"] == "^[0-9]{1,9}$"
    assert goals["asOf"]["format"] == "date" and goals["asOf"]["pattern"].startswith("^(?:19|20)")
    assert goals["perspective"]["maxItems"] == 5
    search = {p["name"]: p["schema"] for p in document["paths"]["/search"]["get"]["parameters"]}
    assert search["q"]["maxLength"] == 200 and "pattern" in search["q"]
