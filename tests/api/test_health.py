"""/healthz and /readyz (the database outage cases are in tests/core/test_database_faults.py)."""

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from app.services.readiness import migration_head


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_is_ready_when_the_database_is_at_the_migrations_head(client, engine):
    with engine.connect() as connection:
        current = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert current == migration_head()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "migration": current}


def test_readyz_is_503_while_the_schema_is_behind_the_code(tmp_path, seed_dir):
    # An empty database: reachable, but no migration applied yet.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", seed_dir=seed_dir)
    with TestClient(create_app(settings)) as empty:
        response = empty.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["Retry-After"]) >= 1
        assert migration_head() in response.json()["detail"]
        assert empty.get("/healthz").status_code == 200


def test_the_head_revision_is_alembics():
    from alembic.script import ScriptDirectory

    from app.migrate import MIGRATIONS_DIR

    assert migration_head() == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
