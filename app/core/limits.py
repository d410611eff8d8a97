"""Size limits checked before a request reaches a route, each with its own documented problem:

- a query string longer than `MAX_QUERY_STRING_BYTES` gets 414;
- a declared body (`Content-Length`) larger than `MAX_REQUEST_BODY_BYTES` gets 413 (bodies sent
  without a length are counted as they arrive by the write routes, app/api/json_body.py);
- a search term `q` longer than `MAX_SEARCH_QUERY_LENGTH` characters gets 400;
- a write's body is received whole before anything else runs (`RequestBodyMiddleware`).

`pageSize` above its maximum is a 400 of the routes themselves (app/api/deps.py).
"""

import contextlib
from urllib.parse import parse_qsl

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.conformance import API_PREFIX
from app.core.errors import problem_response
from app.core.methods import WRITE_METHODS

SEARCH_PATH = f"{API_PREFIX}/search"


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, detail, invalid_params = problem
        response = problem_response(Request(scope), status, detail, invalid_params=invalid_params)
        await response(scope, receive, send)

    @staticmethod
    def _problem(scope: Scope) -> tuple[int, str, list[dict[str, str]] | None] | None:
        settings = scope["app"].state.settings
        query = scope.get("query_string", b"")
        if len(query) > settings.max_query_string_bytes:
            return (
                414,
                f"The query string is longer than {settings.max_query_string_bytes} bytes.",
                None,
            )
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_request_body_bytes:
            return (
                413,
                f"The request body is larger than {settings.max_request_body_bytes} bytes.",
                None,
            )
        if scope["path"] == SEARCH_PATH and query:
            limit = settings.max_search_query_length
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
                if name == "q" and len(value) > limit:
                    reason = f"at most {limit} characters"
                    return (
                        400,
                        f"Invalid query parameter 'q': {reason}",
                        [{"name": "q", "reason": reason}],
                    )
        return None


class _ClientGone(Exception):
    """The client closed the connection before its request body had arrived."""


class _TooLarge(Exception):
    pass


class RequestBodyMiddleware:
    """A write's whole body is received (within `REQUEST_BODY_TIMEOUT_SECONDS` and
    `MAX_REQUEST_BODY_BYTES`) before anything else happens: authentication, rate limits and
    every database query come after it, so a client trickling its body holds no database
    connection. The body is then handed on as if it had just arrived.

    A body that does not arrive in time is 408; one that ends early is 400: the client went
    away (the answer then reaches nobody), or the server could not read the body (a malformed
    chunked encoding: granian reports it as a disconnect too). Nothing else runs for either.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        try:
            with anyio.fail_after(settings.request_body_timeout_seconds):
                body = await _receive_body(receive, settings.max_request_body_bytes)
        except TimeoutError:
            seconds = settings.request_body_timeout_seconds
            detail = f"The request body did not arrive within {seconds:g} seconds."
            await _refuse(scope, receive, send, 408, detail)
            return
        except _TooLarge:
            detail = f"The request body is larger than {settings.max_request_body_bytes} bytes."
            await _refuse(scope, receive, send, 413, detail)
            return
        except Exception:  # _ClientGone, or a server that raises when it cannot read the body
            await _refuse(scope, receive, send, 400, "The request body is incomplete or malformed.")
            return
        await self.app(scope, _replaying(body, receive), send)


async def _receive_body(receive: Receive, limit: int) -> bytes:
    received = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        received.extend(message.get("body", b""))
        if len(received) > limit:
            raise _TooLarge
        if not message.get("more_body", False):
            return bytes(received)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out the body once, then waits on the server (for a disconnect)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    # The rest of the body is not read: the connection must not be reused for another request.
    response = problem_response(Request(scope), status, detail, headers={"Connection": "close"})
    with contextlib.suppress(Exception):  # the client may be gone already
        await response(scope, receive, send)
