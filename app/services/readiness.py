"""Is the service ready for traffic: the database answers and its schema is at the migrations'
head (a replica started with newer code than the database must not take traffic yet)."""

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

import migrations

VERSIONS_DIR = Path(migrations.__file__).resolve().parent / "versions"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str
    database_revision: str | None
    expected_revision: str


@lru_cache
def migration_head() -> str:
    """The head revision, read from the migration files' `revision` and `down_revision`
    assignments. (Alembic's ScriptDirectory says the same, as a test checks, but importing
    Alembic costs every worker about 15 MiB and 0.2 s of start-up for one string.)"""
    revisions: dict[str, str | None] = {}
    for path in VERSIONS_DIR.glob("*.py"):
        assignments = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        assignments[target.id] = node.value
        if "revision" in assignments:
            revision = ast.literal_eval(assignments["revision"])
            revisions[revision] = ast.literal_eval(
                assignments.get("down_revision", ast.Constant(None))
            )
    heads = set(revisions) - set(revisions.values())
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {sorted(heads)}")
    return heads.pop()


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
