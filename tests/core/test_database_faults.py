"""A database that goes away turns into 503 problems with Retry-After (and /readyz 503); when it
is back, the same running app answers again, without a restart.

On PostgreSQL this stops and starts the real local cluster (`pg_ctlcluster`; CI runs as root).
On SQLite the equivalent outage is another process holding the database file exclusively (as a
maintenance job would), so that every connection of the app gets "database is locked".
"""

import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.main import create_app

READS = ("/v1/goals/C4", "/v1/measurements?year=2020&pageSize=5", "/v1/perspectives")


def _cluster_for_port(port: int) -> tuple[str, str]:
    listing = subprocess.run(
        ["pg_lsclusters", "-h"], check=True, capture_output=True, text=True
    ).stdout
    for line in listing.splitlines():
        version, cluster, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, cluster
    raise AssertionError(f"no local PostgreSQL cluster listens on port {port}:\n{listing}")


def _wait_until_accepting(port: int) -> None:
    for _ in range(120):
        ready = subprocess.run(["pg_isready", "-q", "-h", "localhost", "-p", str(port)])
        if ready.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


@contextmanager
def _postgresql_outage(url: str) -> Iterator[None]:
    port = make_url(url).port or 5432
    version, cluster = _cluster_for_port(port)
    subprocess.run(["pg_ctlcluster", version, cluster, "stop", "-m", "fast"], check=True)
    try:
        yield
    finally:
        subprocess.run(["pg_ctlcluster", version, cluster, "start"], check=True)
        _wait_until_accepting(port)


@contextmanager
def _sqlite_outage(path: Path) -> Iterator[None]:
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE data_version SET version = version WHERE id = 1")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


@contextmanager
def _app_and_outage(engine, settings: Settings, tmp_path: Path):
    if engine.dialect.name == "postgresql":
        with TestClient(create_app(settings)) as client:
            # Warm the pool: the outage must also break connections the app already holds.
            assert all(client.get(url).status_code == 200 for url in READS)
            yield client, _postgresql_outage(settings.database_url)
        return
    # A private copy of the database, with a short busy timeout so the test waits little.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    source = Path(make_url(settings.database_url).database)
    copy = tmp_path / "outage.db"
    shutil.copy(source, copy)
    private = settings.model_copy(
        update={"database_url": f"sqlite:///{copy}", "sqlite_busy_timeout_ms": 50}
    )
    # The exclusive lock must be taken before the app opens the file (WAL readers that already
    # hold it open would keep reading); the app starts without touching the database.
    with TestClient(create_app(private)) as client:
        yield client, _sqlite_outage(copy)


def test_a_database_outage_is_503_and_the_service_recovers_without_restart(
    engine, settings, tmp_path, client
):
    before = {url: client.get(url) for url in READS}
    assert all(response.status_code == 200 for response in before.values())

    with _app_and_outage(engine, settings, tmp_path) as (app_client, outage):
        with outage:
            for url in READS:
                response = app_client.get(url)
                assert response.status_code == 503, (url, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                assert int(response.headers["Retry-After"]) >= 1
                assert "API-Version" in response.headers
                body = response.json()
                assert body["status"] == 503
                # The driver's message (hosts, users, paths) never reaches the client.
                assert "psycopg" not in response.text and "sqlite" not in response.text.lower()
            ready = app_client.get("/readyz")
            assert ready.status_code == 503
            assert int(ready.headers["Retry-After"]) >= 1
            assert app_client.get("/healthz").status_code == 200
            metrics = app_client.get("/metrics").text
            assert "database_errors_total{" in metrics

        # Back: the same app (no restart) answers again, with the same data as before.
        for url in READS:
            response = app_client.get(url)
            assert response.status_code == 200, (url, response.text)
            assert response.json() == before[url].json()
        assert app_client.get("/readyz").status_code == 200
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM goal")).scalar_one() > 0
