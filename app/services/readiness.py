"""Is the service ready for traffic: the database answers and its schema is at the migrations'
head (a replica started with newer code than the database must not take traffic yet)."""

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.migrate import MIGRATIONS_DIR


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str
    database_revision: str | None
    expected_revision: str


@lru_cache
def migration_head() -> str:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or ""


def check_readiness(engine: Engine) -> Readiness:
    expected = migration_head()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            try:
                revisions = list(
                    connection.execute(sa.text("SELECT version_num FROM alembic_version"))
                    .scalars()
                    .all()
                )
            except (sa.exc.ProgrammingError, sa.exc.OperationalError):
                # Reachable, but never migrated (no alembic_version table).
                revisions = []
    except SQLAlchemyError:
        return Readiness(False, "The database is unreachable.", None, expected)
    current = revisions[0] if len(revisions) == 1 else None
    if current != expected:
        return Readiness(
            False,
            f"The database schema is at {current or 'no migration'}; this code needs {expected}.",
            current,
            expected,
        )
    return Readiness(True, "ready", current, expected)
