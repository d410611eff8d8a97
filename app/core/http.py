"""ASGI middleware for what every response needs, whichever route (or error) produced it."""

import json
import logging

from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.cors import add_read_cors_headers
from app.core.errors import PROBLEM_MEDIA_TYPE, problem_body
from app.core.methods import DATA_READ_METHODS, ROUTE_METHODS

logger = logging.getLogger("app")


def _allowed_methods(scope: Scope) -> list[str]:
    """Every method of every route at this path (Starlette names only the first route's)."""
    routes = getattr(scope.get("app"), "routes", [])
    methods = [
        method
        for method in ROUTE_METHODS
        if any(route.matches(dict(scope, method=method))[0] == Match.FULL for route in routes)
    ]
    # Routes are declared for GET; this middleware answers HEAD like GET.
    return ["GET", "HEAD", *methods[1:]] if methods[:1] == ["GET"] else methods


class ResponseConventionsMiddleware:
    """Adds `API-Version` and read CORS headers, answers HEAD like GET without a body, and
    turns any unexpected exception into a problem+json 500 instead of a bare text page."""

    def __init__(self, app: ASGIApp, api_version: str) -> None:
        self.app = app
        self.api_version = api_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        is_head = method == "HEAD"
        outer_scope = scope
        if is_head:
            # Routes are declared for GET only; HEAD gets the same headers and no body.
            scope = dict(scope, method="GET")
        is_read = method in DATA_READ_METHODS
        response_started = False

        async def send_with_conventions(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                headers = MutableHeaders(scope=message)
                headers["API-Version"] = self.api_version
                # Security headers (API Design Rules): no sniffing, no framing, no referrer.
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                if message["status"] == 405:
                    headers["Allow"] = ", ".join(_allowed_methods(outer_scope))
                if is_read:
                    add_read_cors_headers(headers)
            elif message["type"] == "http.response.body" and is_head:
                message = dict(message, body=b"")
            await send(message)

        try:
            await self.app(scope, receive, send_with_conventions)
            if scope is not outer_scope:
                # Tell the outer middleware (metrics, logs) which route answered the HEAD.
                for key in ("route", "fastapi"):
                    if key in scope:
                        outer_scope[key] = scope[key]
        except Exception:
            logger.exception("Unhandled error for %s %s", method, scope.get("path"))
            if response_started:
                raise
            await self._send_internal_error(scope, send_with_conventions)

    async def _send_internal_error(self, scope: Scope, send: Send) -> None:
        detail = "The server could not answer this request."
        body = json.dumps(problem_body(500, detail, scope.get("path", ""))).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
