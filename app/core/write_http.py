"""HTTP conventions for writes (every method other than GET, HEAD and OPTIONS):

- `Cache-Control: no-store` on every answer to a write, errors included.
- CORS: browsers may write only from the origins in the `WRITE_CORS_ORIGINS` setting (see
  app/core/cors.py); a write that carries any other `Origin` is refused with 403 before it
  reaches a route (a browser that skipped the preflight must not be able to write either).
  Reads keep their own rule (any origin), so a preflight for GET is passed on.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.cors import WriteCors, preflight_method
from app.core.errors import problem_response
from app.core.methods import READ_METHODS


class WriteConventionsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cors = WriteCors(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        origins: list[str] = scope["app"].state.settings.write_cors_origins
        requested = preflight_method(scope)
        if requested is not None:
            if requested in READ_METHODS:
                await self.app(scope, receive, send)
            else:
                await self._cors.for_origins(origins)(scope, receive, send)
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
        await self._cors.for_origins(origins)(scope, receive, send_no_store)
