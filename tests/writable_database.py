"""Fixtures for tests that write: each test module gets its own fresh database, built by the
real migrations and the real seed, so what one module writes never changes what the read tests
(which share the session database) or other modules expect.

On SQLite that is a new file; on PostgreSQL a new schema in the TEST_DATABASE_URL database
(selected with the connection's search_path), dropped again afterwards.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app import migrate
from app.core.config import Settings
from app.db import get_engine
from app.main import create_app
from app.seed import seed_database
from app.services import api_keys


def fresh_database_url(database_url: str, directory: Path, name: str) -> str:
    """The URL of a new, empty database next to `database_url`."""
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())[-45:]
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{directory / (name + '.db')}"
    # The process id keeps two test runs against the same database out of each other's way.
    schema = f"test_{name}_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def drop_fresh_database(database_url: str, url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    schema = parsed.query["options"].removeprefix("-csearch_path=")
    admin = sa.create_engine(make_url(database_url))
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def writable_settings(
    request: pytest.FixtureRequest,
    database_url: str,
    seed_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Settings]:
    url = fresh_database_url(
        database_url, tmp_path_factory.mktemp("writable"), request.module.__name__
    )
    settings = Settings(database_url=url, seed_dir=seed_dir)
    engine = get_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_database(session, seed_dir)
    yield settings
    engine.dispose()
    drop_fresh_database(database_url, url)


@pytest.fixture(scope="module")
def writable_engine(writable_settings: Settings) -> Engine:
    return get_engine(writable_settings)


@pytest.fixture(scope="module")
def writable_client(writable_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(writable_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def api_key(writable_engine: Engine) -> str:
    with Session(writable_engine) as session:
        return api_keys.create_key(session, "test-tool").secret


@pytest.fixture(scope="module")
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
