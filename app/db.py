"""Engine and session handling: one engine per database URL per process."""

from collections.abc import Iterator
from threading import Lock
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.core.config import Settings, normalise_database_url

_engines: dict[str, Engine] = {}
_engines_lock = Lock()


def _make_engine(url: str, sqlite_busy_timeout_ms: int, sqlite_cache_kib: int) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(
            url,
            # Sessions are used from uvicorn's worker threads, not the thread that made them.
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout_ms / 1000},
        )

        @event.listens_for(engine, "connect")
        def _configure_sqlite(dbapi_connection, _connection_record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers continue while a writer commits; the busy timeout makes a second
            # writer wait instead of failing at once; SQLite enforces foreign keys only on request.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Each pooled connection has its own page cache (SQLite's default: 2 MiB); the
            # operating system caches the file anyway, so a small one keeps workers lean.
            cursor.execute(f"PRAGMA cache_size=-{int(sqlite_cache_kib)}")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _ensure_sqlite_directory(url: str) -> None:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def get_engine(settings: Settings) -> Engine:
    url = normalise_database_url(settings.database_url)
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url, settings.sqlite_busy_timeout_ms, settings.sqlite_cache_kib)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request on the app's engine."""
    with Session(request.app.state.engine) as session:
        yield session


# Closed as soon as the route function returns, before the answer is sent: a client that reads
# slowly must not hold a pooled connection (routes return finished API shapes, never rows).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
