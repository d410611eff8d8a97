"""HTTP caching for reads (RFC 9110 / 9111): strong ETags, `If-None-Match` and `Cache-Control`.

The ETag of a successful GET is a digest of the exact bytes of the response body, so it differs
per representation (JSON, CSV, ZIP) and changes exactly when those bytes change, i.e. when the
data behind them changes. Writes need no invalidation step: the next read computes the new
bytes and with them the new ETag. A route that sets its own ETag (a measurement, whose ETag is
also the `If-Match` precondition for replacing it) keeps it.

A streamed answer (no `Content-Length`) whose ETag the route set is passed on as it is sent,
never buffered: the export and whole-collection CSV, whose ETags derive from the data version
because their bytes are not known before the first is sent. Such a route answers
`If-None-Match` itself, before it reads anything (`client_if_none_match`, `not_modified`).

`If-None-Match` is answered with 304 using the weak comparison RFC 9110 prescribes for it
(`W/"x"` matches `"x"`), `*` matches any representation, and lists are supported.

`Cache-Control: public, max-age=60, must-revalidate`: the data is public open data, so shared
caches may keep it for a minute and must then revalidate (cheap: a 304). This deliberately
deviates from the Design Rules' default of `no-store`; writes stay `no-store`
(app/core/write_http.py).
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.etags import if_none_match_matches, not_modified, strong_etag
from app.core.methods import DATA_READ_METHODS

READ_CACHE_CONTROL = "public, max-age=60, must-revalidate"
# The client's If-None-Match, kept here by a middleware that hides the header from the app.
CLIENT_IF_NONE_MATCH_KEY = "app.client_if_none_match"


def is_stream(headers: list[tuple[bytes, bytes]]) -> bool:
    """A streamed answer with a route-set ETag: pass it on unbuffered, never keep it."""
    names = {name.lower() for name, _ in headers}
    return b"etag" in names and b"content-length" not in names


def client_if_none_match(request: Request) -> str | None:
    hidden = request.scope.get(CLIENT_IF_NONE_MATCH_KEY)
    if hidden is not None:
        return hidden.decode("latin-1")
    return request.headers.get("if-none-match")


def not_modified_response(request: Request, etag: str) -> Response | None:
    """The 304 for a client that holds `etag` already, else None."""
    header = client_if_none_match(request)
    if header is None or not if_none_match_matches(header, etag):
        return None
    return Response(
        status_code=304,
        headers={"ETag": etag, "Cache-Control": READ_CACHE_CONTROL, "Vary": "Accept"},
    )


class HttpCachingMiddleware:
    """Adds ETag, Cache-Control and `Vary: Accept` to successful GET answers and answers
    `If-None-Match` with 304. Buffers those answers (they are finished documents anyway),
    except streams (`is_stream`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in DATA_READ_METHODS:
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        streaming = False

        async def buffering_send(message: Message) -> None:
            nonlocal start, streaming
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                if is_stream(message.get("headers", [])):
                    streaming = True
                    await send(_with_read_headers(message))
                    return
                start = message
            elif streaming:
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(start, b"".join(chunks), if_none_match, send)
            else:
                await send(message)

        await self.app(scope, receive, buffering_send)

    @staticmethod
    async def _finish(start: Message, body: bytes, if_none_match: str | None, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        if "etag" not in headers:
            headers["ETag"] = strong_etag(body)
        _with_read_headers(start)
        if if_none_match is not None and if_none_match_matches(if_none_match, headers["etag"]):
            await send(not_modified(headers.raw))
            await send({"type": "http.response.body", "body": b""})
            return
        headers["Content-Length"] = str(len(body))
        await send(start)
        await send({"type": "http.response.body", "body": body})


def _with_read_headers(start: Message) -> Message:
    headers = MutableHeaders(scope=start)
    if "cache-control" not in headers:
        headers["Cache-Control"] = READ_CACHE_CONTROL
    if "vary" not in headers:
        headers["Vary"] = "Accept"
    return start


def document_caching(document: dict) -> None:
    """OpenAPI: ETag and Cache-Control on every GET's 200, a 304 and a 406 on every GET."""
    etag = {
        "description": "Strong validator of this representation; send it as `If-None-Match`.",
        "schema": {"type": "string"},
    }
    cache_control = {
        "description": f"`{READ_CACHE_CONTROL}` (public open data).",
        "schema": {"type": "string"},
    }
    for path_item in document.get("paths", {}).values():
        operation = path_item.get("get")
        if operation is None:
            continue
        responses = operation.setdefault("responses", {})
        ok = responses.get("200")
        if ok is not None:
            ok.setdefault("headers", {}).setdefault("ETag", etag)
            ok["headers"]["Cache-Control"] = cache_control
        responses.setdefault(
            "304",
            {
                "description": "Not modified: `If-None-Match` names the current ETag.",
                "headers": {"ETag": etag, "Cache-Control": cache_control},
            },
        )
        responses.setdefault(
            "406", {"description": "None of the media types in `Accept` can be served."}
        )
