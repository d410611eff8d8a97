"""The data version: a counter in the database that triggers bump on every committed change to
the served data (migration 0004), whoever writes (API, import, seed, psql)."""

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

_READ_VERSION = text("SELECT version FROM data_version WHERE id = 1")


def read_version(connection: Connection) -> int:
    return int(connection.execute(_READ_VERSION).scalar_one())


def current_version(engine: Engine) -> int:
    """One cheap query on a pooled connection; raises the driver's error if the database is
    unreachable (the callers turn that into 503)."""
    with engine.connect() as connection:
        return read_version(connection)
