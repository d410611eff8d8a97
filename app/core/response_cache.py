"""An in-process cache of encoded read responses, validated against the data version.

Entries are keyed by path, query string and the representation `Accept` selects (normalised:
two `Accept` values that choose alike share one entry; `Accept-Encoding` is no part of the key,
since nothing is compressed for the client), so no stream of crafted headers can flush the
cache. Entries remember the data version they were computed at. Every request reads the
current version from the database (one cheap query, shared by the requests that arrive while
it runs, see `VersionReader`) and uses an entry only when the versions are equal, so a write
acknowledged by any worker or replica is visible to the very next read everywhere: the write's
commit bumps the version (database triggers, migration 0004).

Why it is never stale: the version is read *before* the response is computed, so an entry is
labelled with a version no newer than the data it holds; if a write commits in between, the
next request reads a newer version and recomputes.

Concurrent misses of one key at one version are computed once: the first computes, the others
wait for its entry (a burst after a write would otherwise run the same queries once per
connection, filling the thread pool and pushing every other request back).

It also answers `If-None-Match` from the entry's `ETag` (304), without touching the routes.
Only successful (200) GET/HEAD answers under /v1 are kept, never one marked `no-store` or
`private`, nor a stream (`caching.is_stream`: passed on as it is sent); the cache is bounded in
total bytes (least recently used entries go first). An answer larger than the entry limit is
kept compressed, and inflated for each client, which costs far less than computing it again.
"""

import asyncio
import sqlite3
import zlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.caching import CLIENT_IF_NONE_MATCH_KEY, is_stream
from app.core.conformance import API_PREFIX
from app.core.data_version import SqliteVersionReader, VersionReader
from app.core.etags import if_none_match_matches, not_modified
from app.core.methods import DATA_READ_METHODS
from app.core.observability import (
    CACHE_HITS,
    CACHE_MISSES,
    DATABASE_ERRORS,
    ROUTE_TEMPLATE_KEY,
    route_template,
)
from app.core.representations import representation_key
from app.core.response_store import CachedResponse, ResponseCache

CACHED_PATH_PREFIX = API_PREFIX


def _entry(
    version: int, headers: list, body: bytes, template: str, max_entry: int
) -> CachedResponse | None:
    """The entry to keep for a response: as it is, compressed when too large, else None."""
    if len(body) <= max_entry:
        return CachedResponse(version, headers, body, template)
    packed = zlib.compress(body, 6)
    if len(packed) <= max_entry:
        return CachedResponse(version, headers, packed, template, compressed=True)
    return None


class ResponseCacheMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.versions = VersionReader()
        self.sqlite_versions: SqliteVersionReader | None = None
        self.cache: ResponseCache | None = None
        # (key, version) -> the entry being computed for it (None if it turned out unstorable).
        self._computing: dict[tuple, asyncio.Future[CachedResponse | None]] = {}

    async def current_version(self, engine: Any) -> int:
        if engine.dialect.name == "sqlite":
            if self.sqlite_versions is None:
                self.sqlite_versions = SqliteVersionReader(engine.url.database)
            return await self.sqlite_versions.shared()
        return await self.versions.current(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in DATA_READ_METHODS
            or not scope["path"].startswith(CACHED_PATH_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        app_state = scope["app"].state
        settings = app_state.settings
        if not settings.response_cache_enabled:
            await self.app(scope, receive, send)
            return
        if self.cache is None:
            self.cache = ResponseCache(settings.response_cache_max_bytes)

        accept = if_none_match = None
        forwarded_headers = []
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value
                continue  # we answer it ourselves, from the full response
            if name == b"accept":
                accept = value
            forwarded_headers.append((name, value))
        key = (scope["path"], scope.get("query_string", b""), representation_key(accept))
        is_head = scope["method"] == "HEAD"

        try:
            version = await self.current_version(app_state.engine)
        except (SQLAlchemyError, sqlite3.Error):
            # Let the route meet the database too: its error handler answers 503.
            DATABASE_ERRORS.labels("version").inc()
            await self.app(scope, receive, send)
            return

        entry = self.cache.get(key, version)
        if entry is None:
            entry = await self._computed_by_another(key, version)
        if entry is not None:
            CACHE_HITS.inc()
            scope[ROUTE_TEMPLATE_KEY] = entry.route_template
            await _send_cached(entry, if_none_match, is_head, send)
            return
        CACHE_MISSES.inc()
        # Others arriving meanwhile wait for this computation (unless one is already running:
        # then this request's wait ended without an entry, and it computes on its own).
        loop = asyncio.get_running_loop()
        computing = loop.create_future()
        running = self._computing.get((key, version))
        if running is None or running.get_loop() is not loop:
            self._computing[key, version] = computing

        def release_waiters() -> None:
            if not computing.done():
                computing.set_result(None)

        try:
            entry = await self._compute(
                scope,
                receive,
                send,
                key,
                version,
                forwarded_headers,
                if_none_match,
                release_waiters,
            )
        finally:
            if self._computing.get((key, version)) is computing:
                del self._computing[key, version]
            if not computing.done():
                computing.set_result(entry)  # None when it failed or was not storable

    async def _computed_by_another(self, key: tuple, version: int) -> CachedResponse | None:
        computing = self._computing.get((key, version))
        if computing is None or computing.get_loop() is not asyncio.get_running_loop():
            return None
        return await asyncio.shield(computing)

    async def _compute(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple,
        version: int,
        forwarded_headers: list[tuple[bytes, bytes]],
        if_none_match: bytes | None,
        release_waiters: Callable[[], None],
    ) -> CachedResponse | None:
        """Answer from a freshly computed response; return it as an entry if it was kept.
        Requests waiting for it are released as soon as it turns out not to be kept (a stream
        must not make them wait until its last byte)."""
        assert self.cache is not None
        is_head = scope["method"] == "HEAD"
        max_entry = scope["app"].state.settings.response_cache_max_entry_bytes

        # Compute the full GET response (HEAD and conditional requests included), keep it if it
        # may be kept, then answer this request from it.
        inner_scope = dict(scope, method="GET", headers=forwarded_headers)
        if if_none_match is not None:
            inner_scope[CLIENT_IF_NONE_MATCH_KEY] = if_none_match
        start: Message | None = None
        chunks: list[bytes] = []
        passing_through = False
        suppress_body = is_head

        async def forward(message: Message) -> None:
            nonlocal suppress_body
            if message["type"] == "http.response.start":
                message, not_modified = _conditional(message, if_none_match)
                suppress_body = is_head or not_modified
            elif message["type"] == "http.response.body" and suppress_body:
                message = dict(message, body=b"")
            await send(message)

        async def capture(message: Message) -> None:
            nonlocal start, passing_through
            if passing_through:
                await forward(message)
            elif message["type"] == "http.response.start":
                start = message
                if not _storable(message):
                    passing_through = True
                    release_waiters()
                    await forward(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            else:
                await forward(message)

        await self.app(inner_scope, receive, capture)
        template = scope[ROUTE_TEMPLATE_KEY] = route_template(inner_scope)
        if passing_through or start is None:
            return None
        headers = list(start.get("headers", []))
        body = b"".join(chunks)
        entry = _entry(version, headers, body, template, max_entry)
        if entry is None:  # too large even compressed: answered, not kept
            await _send_cached(
                CachedResponse(version, headers, body, template), if_none_match, is_head, send
            )
            return None
        self.cache.put(key, entry)
        await _send_cached(entry, if_none_match, is_head, send)
        return entry


def _storable(start: Message) -> bool:
    if start["status"] != 200 or is_stream(start.get("headers", [])):
        return False
    for name, value in start.get("headers", []):
        if name == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
        if name == b"set-cookie":
            return False
    return True


def _conditional(start: Message, if_none_match: bytes | None) -> tuple[Message, bool]:
    """The start message to send: a 304 when the client already holds this representation."""
    if if_none_match is None or start["status"] != 200:
        return start, False
    headers = start.get("headers", [])
    etag = next((value for name, value in headers if name == b"etag"), None)
    if etag is None or not if_none_match_matches(
        if_none_match.decode("latin-1"), etag.decode("latin-1")
    ):
        return start, False
    return not_modified(headers), True


async def _send_cached(
    entry: CachedResponse, if_none_match: bytes | None, is_head: bool, send: Send
) -> None:
    start, not_modified = _conditional(
        {"type": "http.response.start", "status": 200, "headers": entry.headers}, if_none_match
    )
    await send(start)
    body = b"" if is_head or not_modified else entry.content()
    await send({"type": "http.response.body", "body": body})
