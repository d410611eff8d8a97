"""HTTP conventions for writes (every method other than GET, HEAD and OPTIONS):

- `Cache-Control: no-store` on every answer to a write, errors included.
- CORS: browsers may write only from the origins in the `WRITE_CORS_ORIGINS` setting. Preflight
  requests that ask for a write method are answered by Starlette's CORSMiddleware configured with
  those origins; a write that carries any other `Origin` is refused with 403 before it reaches a
  route (a browser that skipped the preflight must not be able to write either). Reads keep
  their own rule (any origin, see app/core/http.py), so a preflight for GET is passed on.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem_response

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = ["POST", "PUT"]
WRITE_REQUEST_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match"]
WRITE_EXPOSED_HEADERS = ["API-Version", "ETag", "Location"]


class WriteConventionsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cors: dict[tuple[str, ...], CORSMiddleware] = {}

    def _cors_for(self, origins: list[str]) -> CORSMiddleware:
        # Settings are only known at startup (never at import), so build on first use.
        key = tuple(origins)
        cors = self._cors.get(key)
        if cors is None:
            cors = CORSMiddleware(
                self.app,
                allow_origins=list(origins),
                allow_methods=WRITE_METHODS,
                allow_headers=WRITE_REQUEST_HEADERS,
                expose_headers=WRITE_EXPOSED_HEADERS,
                max_age=600,
            )
            self._cors[key] = cors
        return cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        origins: list[str] = scope["app"].state.settings.write_cors_origins
        requested = headers.get("access-control-request-method", "").upper()
        if method == "OPTIONS" and "origin" in headers and requested:
            if requested in READ_METHODS:
                await self.app(scope, receive, send)
            else:
                await self._cors_for(origins)(scope, receive, send)
            return
        if method in READ_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        origin = headers.get("origin")
        if origin is not None and origin not in origins:
            response = problem_response(
                Request(scope), 403, f"Writes are not accepted from the origin {origin}."
            )
            await response(scope, receive, send_no_store)
            return
        await self._cors_for(origins)(scope, receive, send_no_store)
