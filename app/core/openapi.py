"""Complete FastAPI's generated OpenAPI document: problem+json errors and the API-Version header
on every response, and no 422 (the API answers invalid input with 400)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.caching import document_caching
from app.core.conformance import apply_design_rules
from app.core.errors import PROBLEM_MEDIA_TYPE
from app.core.operational_docs import document_operational_responses
from app.schemas import Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_API_VERSION_HEADER = {"$ref": "#/components/headers/API-Version"}

_ERROR_DESCRIPTIONS = {
    "400": "Invalid query parameter value, or an unknown query parameter.",
    "404": "No resource with this code.",
    "500": "Unexpected server error.",
}


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"API-Version": _API_VERSION_HEADER},
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}},
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = Problem.model_json_schema(by_alias=True, mode="serialization")
    components["headers"] = {
        "API-Version": {
            "description": "Semantic version of the API that answered.",
            "required": True,
            "schema": {"type": "string", "example": app.version},
        }
    }
    # 414, 503 everywhere; 413 and 429 on writes (limits, database outages, rate limits).
    document_operational_responses(document)
    # ETag and Cache-Control on every read, 304 and 406 (issue 5).
    document_caching(document)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for response in responses.values():
                response.setdefault("headers", {})["API-Version"] = _API_VERSION_HEADER
            if operation.get("parameters") and "400" not in responses:
                responses["400"] = _problem_response(_ERROR_DESCRIPTIONS["400"])
            if any(param["in"] == "path" for param in operation.get("parameters", [])):
                responses["404"] = _problem_response(_ERROR_DESCRIPTIONS["404"])
            responses["500"] = _problem_response(_ERROR_DESCRIPTIONS["500"])
            # Routes declare their other errors (401, 409, 412, ...) by status and description.
            for status, response in responses.items():
                if status >= "400" and "content" not in response:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
    apply_design_rules(document)
    return document


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
