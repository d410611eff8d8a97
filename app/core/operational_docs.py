"""OpenAPI for the answers any operation can give because of limits, load or the database
(see app/core/limits.py, rate_limit.py, database_errors.py), added to every operation so that
clients (and the schemathesis fuzz tests) find each status documented."""

from typing import Any

from app.core.errors import documented_problem
from app.core.methods import WRITE_METHODS

_RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "minimum": 1},
}


def _problem(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    return documented_problem(description, {"Retry-After": _RETRY_AFTER} if retry_after else None)


def document_operational_responses(document: dict[str, Any]) -> None:
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "414", _problem("The query string is longer than the configured limit.")
            )
            responses.setdefault(
                "503",
                _problem(
                    "The database is unavailable at the moment; retry after `Retry-After`.",
                    retry_after=True,
                ),
            )
            if method.upper() in WRITE_METHODS or "requestBody" in operation:
                responses.setdefault(
                    "413", _problem("The request body is larger than the configured limit.")
                )
            if method.upper() in WRITE_METHODS:
                responses.setdefault(
                    "408", _problem("The request body did not arrive within the time limit.")
                )
                responses.setdefault(
                    "429",
                    _problem(
                        "Too many writes with this API key, or too many failed "
                        "authentications from this address; retry after `Retry-After`.",
                        retry_after=True,
                    ),
                )
