"""The committed openapi.json is the app's, and it describes every response."""

import json
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
