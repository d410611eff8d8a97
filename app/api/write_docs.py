"""OpenAPI descriptions shared by the write routes (the problem+json content is filled in by
app/api/openapi.py for every error response)."""

from typing import Any

from pydantic import BaseModel

from app.api.openapi import named_request_schema

PROBLEM_DESCRIPTIONS = {
    400: "Invalid body or parameters; `invalidParams` lists every problem.",
    401: "No API key, or an unknown or revoked one (see `WWW-Authenticate`).",
    403: "The request comes from a browser origin that may not write (`WRITE_CORS_ORIGINS`).",
    404: "No resource with this code.",
    409: "Conflicts with the current state (see `detail`).",
    412: "A precondition (`If-Match`, `If-None-Match`) does not hold: reload and retry.",
    413: "The request body is larger than the configured limit (1 MiB by default).",
    415: "The body is not `application/json`.",
    428: "Replacing needs `If-Match` with the current `ETag`.",
}


_CHALLENGE_HEADER = {
    "WWW-Authenticate": {
        "description": 'The challenge: `Bearer realm="coalition-monitor"`.',
        "schema": {"type": "string"},
    }
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {
        status: {"description": PROBLEM_DESCRIPTIONS[status]} for status in statuses
    }
    if 401 in responses:
        responses[401]["headers"] = dict(_CHALLENGE_HEADER)
    return responses


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that receives its body raw (to check size and media type
    itself) but documents it as this model, a named schema."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": named_request_schema(model)}},
        }
    }


NO_STORE_HEADER = {
    "Cache-Control": {
        "description": "`no-store`: a write's answer is never cached.",
        "schema": {"type": "string"},
    }
}
