"""The SQLite engine's connection settings: WAL, busy timeout, foreign keys, a bounded page
cache per connection."""

import sqlalchemy as sa

from app.core.config import Settings
from app.db import get_engine


def test_sqlite_connections_are_configured_from_the_settings(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'pragmas.db'}",
        sqlite_busy_timeout_ms=1234,
        sqlite_cache_kib=256,
    )
    with get_engine(settings).connect() as connection:

        def pragma(name: str):
            return connection.execute(sa.text(f"PRAGMA {name}")).scalar_one()

        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 1234
        assert pragma("foreign_keys") == 1
        assert pragma("cache_size") == -256
