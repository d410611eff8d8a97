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
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.caching import CLIENT_IF_NONE_MATCH_KEY, is_stream
from app.core.data_version import current_version
from app.core.observability import (
    CACHE_HITS,
    CACHE_MISSES,
    DATABASE_ERRORS,
    ROUTE_TEMPLATE_KEY,
    route_template,
)
from app.core.representations import representation_key

CACHED_PATH_PREFIX = "/v1"
# Dropped from a 304: it has no body (RFC 9110, section 15.4.5).
_BODY_HEADERS = frozenset({b"content-length", b"content-type", b"content-disposition"})


@dataclass(frozen=True)
class CachedResponse:
    version: int
    headers: list[tuple[bytes, bytes]]
    body: bytes  # as stored: zlib-compressed when `compressed`
    route_template: str
    compressed: bool = False

    def content(self) -> bytes:
        return zlib.decompress(self.body) if self.compressed else self.body


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


class VersionReader:
    """Reads the data version, sharing one query among the requests that wait for it.

    A request may use a read only if the read *started after the request arrived*: only then
    does it reflect every write acknowledged before the request. So at most one read runs at a
    time, and requests arriving meanwhile join the next one, which starts when the running one
    ends. Under load one query serves many requests; alone, a request waits for one query.
    """

    def __init__(self, read: Callable[[Any], int] = current_version) -> None:
        self._read_version = read
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: asyncio.Task[None] | None = None
        self._waiting: asyncio.Future[int] | None = None

    async def current(self, engine: Any) -> int:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (tests start one per client); state of an old one is void.
            self._loop, self._running, self._waiting = loop, None, None
        future = self._waiting
        if future is None:
            future = self._waiting = loop.create_future()
            if self._running is None:
                self._start(engine)
        return await asyncio.shield(future)

    def _start(self, engine: Any) -> None:
        self._running = asyncio.ensure_future(self._read(engine))

    async def _read(self, engine: Any) -> None:
        # Requests that arrived until this moment may share this read; later ones wait for the
        # next.
        future, self._waiting = self._waiting, None
        assert future is not None
        try:
            version = await anyio.to_thread.run_sync(self._read_version, engine)
        except Exception as error:
            future.set_exception(error)
        else:
            future.set_result(version)
        finally:
            self._running = None
            if self._waiting is not None:
                self._start(engine)


class SqliteVersionReader:
    """The data version of a SQLite database, read on the event loop itself.

    Reading one row of a local WAL-mode database takes a few microseconds and never waits for a
    writer (WAL readers see the last commit), which is far less than handing the read to a
    thread would cost; a reader only waits in rare recovery cases, bounded by a short timeout
    after which the request is answered by the routes (503 if the database really is
    unavailable). One dedicated connection per worker process.

    Under load many requests become ready in one turn of the event loop; `shared()` lets them
    share one read, made after the last of them arrived (so still newer than each of them),
    instead of one read (and its WAL lock round trip) each.
    """

    def __init__(self, database: str | None) -> None:
        self.database = database or ""
        self._connection: sqlite3.Connection | None = None
        self._next_read: asyncio.Future[int] | None = None

    async def shared(self) -> int:
        loop = asyncio.get_running_loop()
        future = self._next_read
        if future is None or future.get_loop() is not loop:
            future = self._next_read = loop.create_future()
            # Runs after the callbacks already scheduled, i.e. after the requests that became
            # ready in this turn have joined.
            loop.call_soon(self._read_into, future)
        return await asyncio.shield(future)

    def _read_into(self, future: asyncio.Future[int]) -> None:
        if self._next_read is future:
            self._next_read = None
        try:
            future.set_result(self.current())
        except Exception as error:  # every waiter must hear of it, whatever it is
            future.set_exception(error)

    def current(self) -> int:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self.database, timeout=0.2, check_same_thread=False, isolation_level=None
            )
        try:
            row = self._connection.execute(_SQLITE_READ_VERSION).fetchone()
        except sqlite3.Error:
            self._connection.close()
            self._connection = None
            raise
        return int(row[0])


_SQLITE_READ_VERSION = "SELECT version FROM data_version WHERE id = 1"


class ResponseCache:
    """A byte-bounded LRU map of cached responses."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, CachedResponse] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple, version: int) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.version != version:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: CachedResponse) -> None:
        size = len(entry.body)
        if size > self.max_bytes:
            return
        if key in self._entries:
            self._remove(key)
        self._entries[key] = entry
        self._bytes += size
        while self._bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))

    def _remove(self, key: tuple) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


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
            or scope["method"] not in ("GET", "HEAD")
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


def _etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match."""
    if if_none_match.strip() == b"*":
        return True
    bare = etag.removeprefix(b"W/")
    return any(
        candidate.strip().removeprefix(b"W/") == bare for candidate in if_none_match.split(b",")
    )


def _conditional(start: Message, if_none_match: bytes | None) -> tuple[Message, bool]:
    """The start message to send: a 304 when the client already holds this representation."""
    if if_none_match is None or start["status"] != 200:
        return start, False
    headers = start.get("headers", [])
    etag = next((value for name, value in headers if name == b"etag"), None)
    if etag is None or not _etag_matches(if_none_match, etag):
        return start, False
    kept = [(name, value) for name, value in headers if name not in _BODY_HEADERS]
    return {"type": "http.response.start", "status": 304, "headers": kept}, True


async def _send_cached(
    entry: CachedResponse, if_none_match: bytes | None, is_head: bool, send: Send
) -> None:
    start, not_modified = _conditional(
        {"type": "http.response.start", "status": 200, "headers": entry.headers}, if_none_match
    )
    await send(start)
    body = b"" if is_head or not_modified else entry.content()
    await send({"type": "http.response.body", "body": body})
