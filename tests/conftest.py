"""Fixtures: one database per test session, built by the real Alembic migrations and loaded by
the real seed loader, and a TestClient on the real app.

TEST_DATABASE_URL selects the database (e.g. postgresql+psycopg://user:pw@localhost/db); when
unset, a SQLite file in a temporary directory. TEST_SEED_DIR selects the seed (default: the
repository's seed/ directory).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import migrate
from app.core.config import Settings
from app.db import dispose_engines, get_engine
from app.main import create_app
from app.seed import SEED_FILES, SeedData, read_seed, seed_database
from tests.browser import browser  # noqa: F401  (the headless Chromium fixture)
from tests.scaled_database import (  # noqa: F401  (a database with more than a page of history)
    scaled_client,
    scaled_engine,
    scaled_live_server,
    scaled_settings,
)
from tests.servers import serving
from tests.writable_database import (  # noqa: F401  (fixtures for the tests that write)
    api_key,
    auth,
    writable_client,
    writable_engine,
    writable_settings,
)

REPOSITORY = Path(__file__).resolve().parents[1]
REAL_SEED_DIR = REPOSITORY / "seed"
FIXTURE_SEED_DIR = REPOSITORY / "tests" / "fixtures" / "seed"


def _seed_dir() -> Path:
    configured = os.environ.get("TEST_SEED_DIR")
    if configured:
        return Path(configured)
    if all((REAL_SEED_DIR / name).exists() for name in SEED_FILES):
        return REAL_SEED_DIR
    # Only while the dataset is being produced: the real seed is the default as soon as it exists.
    return FIXTURE_SEED_DIR


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return _seed_dir()


@pytest.fixture(scope="session")
def uses_real_seed(seed_dir: Path) -> bool:
    return seed_dir.resolve() == REAL_SEED_DIR.resolve()


@pytest.fixture(scope="session")
def seed_data(seed_dir: Path) -> SeedData:
    return read_seed(seed_dir)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str, seed_dir: Path) -> Settings:
    return Settings(database_url=database_url, seed_dir=seed_dir)


def drop_everything(engine: Engine) -> None:
    """Leave an empty database, whatever an earlier run left behind (tables and alembic_version)."""
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = get_engine(settings)
    drop_everything(engine)
    # Down and up again, so every run proves the downgrade path on this database too.
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_database(session, settings.seed_dir)
    yield engine
    dispose_engines()


@pytest.fixture(scope="session")
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(engine: Engine, settings: Settings) -> Iterator[str]:
    """The app on a real uvicorn server on a free localhost port (seeded database, read-only)."""
    with serving(settings) as base_url:
        yield base_url


def collect(client: TestClient, url: str) -> list[dict]:
    """Every item of a collection, following `next` links."""
    items: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        url = body["_links"].get("next", {}).get("href")
    return items
