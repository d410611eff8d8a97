#!/usr/bin/env python3
"""What the shared write limits add to each write: the counting `app/api/security.py` does for
a valid key (take one of the address's failed authentications, give it back, count the key's
write, commit), timed against the database, next to the in-process counters it replaced (the
`limits` library's moving window in memory).

    .venv/bin/python bench/write_limits.py                       # SQLite, a temporary file
    .venv/bin/python bench/write_limits.py --database-url postgresql+psycopg://u:pw@host/db

On PostgreSQL it works in a scratch schema of the given database, dropped afterwards. Prints
the median and 99th percentile in microseconds.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from limits import parse  # noqa: E402
from limits.storage import MemoryStorage  # noqa: E402
from limits.strategies import MovingWindowRateLimiter  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import migrate  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.rate_limit import WriteLimits  # noqa: E402
from app.db import dispose_engines, get_engine  # noqa: E402

SCHEMA = "bench_write_limits"
WRITE_LIMIT = AUTH_LIMIT = "1000000/minute"


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99)]
    return f"median {statistics.median(ordered) * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs"


def database_counting(url: str, writes: int) -> str:
    engine = get_engine(Settings(database_url=url))
    migrate.upgrade(engine)
    limits = WriteLimits()
    samples = []
    for number in range(writes):
        started = time.perf_counter()
        with Session(engine) as session:
            taken = limits.take_authentication(session, f"10.0.{number % 50}.1", AUTH_LIMIT)
            limits.count_write(session, taken, f"digest-{number % 5}", WRITE_LIMIT)
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def memory_counting(writes: int) -> str:
    limiter = MovingWindowRateLimiter(MemoryStorage())
    write_limit, auth_limit = parse(WRITE_LIMIT), parse(AUTH_LIMIT)
    samples = []
    for number in range(writes):
        started = time.perf_counter()
        limiter.test(auth_limit, "failures", f"10.0.{number % 50}.1")
        limiter.hit(write_limit, "writes", f"digest-{number % 5}")
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def _scratch_schema(url: str, create: bool) -> str:
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if create:
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={SCHEMA}"})
        .render_as_string(hide_password=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL (default: SQLite, temporary)")
    parser.add_argument("--writes", type=int, default=2000)
    arguments = parser.parse_args()
    print(f"in memory (before): {memory_counting(arguments.writes)}")
    if arguments.database_url:
        url = _scratch_schema(arguments.database_url, create=True)
        try:
            print(f"PostgreSQL: {database_counting(url, arguments.writes)}")
        finally:
            dispose_engines()
            _scratch_schema(arguments.database_url, create=False)
        return
    with tempfile.TemporaryDirectory(prefix="write-limits-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        print(f"SQLite: {database_counting(url, arguments.writes)}")
        dispose_engines()


if __name__ == "__main__":
    main()
