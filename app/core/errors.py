"""RFC 9457 problem details for every error the service returns."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemError(Exception):
    """An error a service or route raises on purpose; rendered as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        invalid_params: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid_params = invalid_params
        # e.g. WWW-Authenticate on a 401.
        self.headers = headers


class NotFoundError(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(404, detail)


class InvalidParameterError(ProblemError):
    """A query parameter that parses but names nothing (unknown perspective, bad cursor)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            400,
            f"Invalid query parameter '{name}': {reason}",
            invalid_params=[{"name": name, "reason": reason}],
        )


def problem_body(
    status: int, detail: str, instance: str, invalid_params: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        # about:blank means "the status code says it all" (RFC 9457 section 4.2.1).
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if invalid_params is not None:
        body["invalidParams"] = invalid_params
    return body


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    invalid_params: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(status, detail, request.url.path, invalid_params)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_content() -> dict[str, Any]:
    """OpenAPI: the content of an error response, the Problem schema as problem+json."""
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def documented_problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """OpenAPI: an error response with the API-Version header (and these others)."""
    return {
        "description": description,
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}, **(headers or {})},
        "content": problem_content(),
    }


def _location_name(location: tuple[Any, ...]) -> str:
    # FastAPI reports ("query", "pageSize"), and ("query", "metric", 1) for one value of a
    # repeated parameter; clients only need the parameter's name.
    if location[:1] in (("query",), ("path",), ("header",)) and len(location) > 1:
        return str(location[1])
    parts = [str(part) for part in location[1:]] or [str(part) for part in location]
    return ".".join(parts)


async def _handle_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    invalid_params = [
        {"name": _location_name(tuple(error.get("loc", ()))), "reason": error.get("msg", "")}
        for error in exc.errors()
    ]
    names = ", ".join(sorted({param["name"] for param in invalid_params}))
    return problem_response(
        request, 400, f"Invalid request parameters: {names}", invalid_params=invalid_params
    )


async def _handle_problem(request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(
        request, exc.status, exc.detail, invalid_params=exc.invalid_params, headers=exc.headers
    )


async def _handle_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}"
    return problem_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    # Unexpected exceptions are turned into problem+json by ResponseConventionsMiddleware,
    # which (unlike an Exception handler here) still adds the API-Version header.
