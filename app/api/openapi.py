"""Complete FastAPI's generated OpenAPI document: problem+json errors and the API-Version header
on every response, no 422 (the API answers invalid input with 400), and a document that client
generators turn into clean types: named request bodies, no generated titles, optional properties
that are absent rather than null, and query parameters without a `null` alternative."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from app.core.caching import document_caching
from app.core.conformance import apply_design_rules
from app.core.errors import documented_problem, problem_content
from app.core.operational_docs import document_operational_responses
from app.schemas import CATALOG_SCHEMA, InvalidParam, Problem

_SCHEMAS_REF = "#/components/schemas/{model}"
_API_VERSION_HEADER = {"$ref": "#/components/headers/API-Version"}

_ERROR_DESCRIPTIONS = {
    "400": "Invalid query parameter value, or an unknown query parameter.",
    "404": "No resource with this code.",
    "500": "Unexpected server error.",
}

# Models that routes document as their request body (they read the body raw, see write_docs).
_REQUEST_BODY_MODELS: dict[str, type[BaseModel]] = {}


def named_request_schema(model: type[BaseModel]) -> dict[str, str]:
    """A reference to `model` as a named schema, which build_openapi adds to the components."""
    _REQUEST_BODY_MODELS[model.__name__] = model
    return {"$ref": _SCHEMAS_REF.format(model=model.__name__)}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {"type": "null"}]` -> X (keeping description and the like)."""
    alternatives = schema.get("anyOf")
    if not alternatives:
        return schema
    kept = [option for option in alternatives if option != {"type": "null"}]
    if len(kept) != 1 or len(kept) == len(alternatives):
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**kept[0], **rest}


def _tidy_parameters(document: dict[str, Any]) -> None:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                schema = _without_null(parameter["schema"])
                schema.pop("title", None)
                if schema.get("default") is None:
                    schema.pop("default", None)
                parameter["schema"] = schema
                if schema.get("type") == "array":
                    parameter["style"] = "form"
                    parameter["explode"] = True


def _tidy_response_schema(schema: dict[str, Any]) -> None:
    """Optional properties of a response are left out when empty: never null."""
    required = schema.get("required", [])
    for name, prop in list(schema.get("properties", {}).items()):
        prop.pop("title", None)
        if name not in required:
            if prop.get("default", "") is None:
                prop.pop("default")
            schema["properties"][name] = _without_null(prop)


def _add_request_bodies(schemas: dict[str, Any]) -> None:
    for name, model in _REQUEST_BODY_MODELS.items():
        schema = model.model_json_schema(
            by_alias=True, mode="validation", ref_template=_SCHEMAS_REF
        )
        nested = schema.pop("$defs", {})
        for body in (schema, *nested.values()):
            for prop in body.get("properties", {}).values():
                prop.pop("title", None)
        schemas.update(nested)
        schemas[name] = schema


def _problem_schemas(schemas: dict[str, Any]) -> None:
    problem = Problem.model_json_schema(by_alias=True, mode="serialization")
    problem.pop("$defs", None)
    _tidy_response_schema(problem)
    problem["properties"]["invalidParams"] = {
        "type": "array",
        "items": {"$ref": _SCHEMAS_REF.format(model="InvalidParam")},
        "description": problem["properties"]["invalidParams"]["description"],
    }
    problem["required"] = ["type", "title", "status", "detail", "instance"]
    problem["properties"]["type"].pop("default", None)
    invalid_param = InvalidParam.model_json_schema(by_alias=True)
    _tidy_response_schema(invalid_param)
    schemas["Problem"] = problem
    schemas["InvalidParam"] = invalid_param
    schemas["Catalog"] = CATALOG_SCHEMA


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
    for schema in schemas.values():
        _tidy_response_schema(schema)
    _add_request_bodies(schemas)
    _problem_schemas(schemas)
    _tidy_parameters(document)
    components["headers"] = {
        "API-Version": {
            "description": "Semantic version of the API that answered.",
            "required": True,
            "schema": {"type": "string", "example": app.version},
        }
    }
    # 414, 503 everywhere; 413 and 429 on writes (limits, database outages, rate limits).
    document_operational_responses(document)
    # ETag and Cache-Control on every read, 304 and 406.
    document_caching(document)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for response in responses.values():
                response.setdefault("headers", {})["API-Version"] = _API_VERSION_HEADER
            if operation.get("parameters") and "400" not in responses:
                responses["400"] = documented_problem(_ERROR_DESCRIPTIONS["400"])
            if any(param["in"] == "path" for param in operation.get("parameters", [])):
                responses["404"] = documented_problem(_ERROR_DESCRIPTIONS["404"])
            responses["500"] = documented_problem(_ERROR_DESCRIPTIONS["500"])
            # Routes declare their other errors (401, 409, 412, ...) by status and description.
            for status, response in responses.items():
                if status >= "400" and "content" not in response:
                    response["content"] = problem_content()
    apply_design_rules(document)
    return document


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
