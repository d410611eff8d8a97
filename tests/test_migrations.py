"""The Alembic migrations build exactly the schema that app/models.py describes."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.migrate import MIGRATIONS_DIR


def test_migrated_database_matches_the_models(engine):
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the expression index on measurement; PostgreSQL compares it.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_migrations_ship_with_the_package():
    assert (MIGRATIONS_DIR / "env.py").exists()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
