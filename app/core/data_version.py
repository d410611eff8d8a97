"""The data version: a counter in the database that triggers bump on every committed change to
the served data (migration 0004), whoever writes (API, import, seed, psql); and the readers
the response cache asks for it on every request (app/core/response_cache.py)."""

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

READ_VERSION_SQL = "SELECT version FROM data_version WHERE id = 1"
_READ_VERSION = text(READ_VERSION_SQL)


def read_version(connection: Connection) -> int:
    return int(connection.execute(_READ_VERSION).scalar_one())


def current_version(engine: Engine) -> int:
    """One cheap query on a pooled connection; raises the driver's error if the database is
    unreachable (the callers turn that into 503)."""
    with engine.connect() as connection:
        return read_version(connection)


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
            row = self._connection.execute(READ_VERSION_SQL).fetchone()
        except sqlite3.Error:
            self._connection.close()
            self._connection = None
            raise
        return int(row[0])
