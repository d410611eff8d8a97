"""Cross-origin access (CORS), reads and writes.

Reads: everything here is public open data, so any origin may read; a preflight for a read is
answered here, and every answer to a read names the headers a script may see.

Writes: browsers may write only from the origins in the `WRITE_CORS_ORIGINS` setting. Their
preflights are answered by Starlette's CORSMiddleware configured with those origins; the write
conventions (app/core/write_http.py) refuse a write from any other origin.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.methods import DATA_READ_METHODS

READ_ALLOW_METHODS = "GET, HEAD, OPTIONS"
READ_REQUEST_HEADERS = "Accept, If-None-Match, Cache-Control, X-Request-ID"
# What a script on another origin may read of an answer besides the CORS-safelisted headers.
EXPOSED_RESPONSE_HEADERS = "API-Version, ETag, Link, X-Request-ID, Content-Disposition"

WRITE_ALLOW_METHODS = ["POST", "PUT"]
WRITE_REQUEST_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match"]
WRITE_EXPOSED_HEADERS = ["API-Version", "ETag", "Location"]
PREFLIGHT_MAX_AGE = 600


def preflight_method(scope: Scope) -> str | None:
    """The method a CORS preflight asks for, or None if this request is no preflight."""
    if scope["method"] != "OPTIONS":
        return None
    headers = Headers(scope=scope)
    requested = headers.get("access-control-request-method", "").upper()
    return requested if "origin" in headers and requested else None


def add_read_cors_headers(headers: MutableHeaders) -> None:
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED_RESPONSE_HEADERS


class ReadPreflightMiddleware:
    """Answers a browser's preflight for a read: any origin may read (public open data). A
    preflight for a write is answered by the write CORS (`WriteCors`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and preflight_method(scope) in DATA_READ_METHODS:
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": READ_ALLOW_METHODS,
                    "Access-Control-Allow-Headers": READ_REQUEST_HEADERS,
                    "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
                },
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class WriteCors:
    """Starlette's CORSMiddleware around `app` for the write origins, built on first use of
    each origin list (settings are only known at startup, never at import)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._by_origins: dict[tuple[str, ...], CORSMiddleware] = {}

    def for_origins(self, origins: list[str]) -> CORSMiddleware:
        key = tuple(origins)
        cors = self._by_origins.get(key)
        if cors is None:
            cors = CORSMiddleware(
                self.app,
                allow_origins=list(origins),
                allow_methods=WRITE_ALLOW_METHODS,
                allow_headers=WRITE_REQUEST_HEADERS,
                expose_headers=WRITE_EXPOSED_HEADERS,
                max_age=PREFLIGHT_MAX_AGE,
            )
            self._by_origins[key] = cors
        return cors
