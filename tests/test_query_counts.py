"""No N+1 queries: the number of SQL statements an endpoint runs does not grow with the size of
its result. Counted with a SQLAlchemy event listener, with the response cache off (so that every
request reaches the database), for every GET operation of the OpenAPI document, and again on
a database with many times the seed's history (tests/scaled_database.py), where a query per
row or per page would show."""

from collections import Counter as Tally
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.main import create_app
from app.services.tables import TABLES

# Every GET path of the API maps to the URLs that exercise it with small and large results.
# Item paths are checked across every code that exists (their results differ in size: goals
# with many or few statuses, indicators with one or six metrics, ...).


@pytest.fixture(scope="module")
def uncached(engine, settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"response_cache_enabled": False}))) as c:
        yield c


# The export store's own statements: per stored chunk (per 128 KiB of output, however many
# rows it holds) and per wait for one, not per row.
STORE_TABLES = ("export_artifact", "export_chunk")


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    """The statements run meanwhile, but the export store's; the store is emptied first, so
    every export and download is generated (its statements counted) rather than read back."""
    with engine.begin() as connection:
        for table in reversed(STORE_TABLES):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    statements: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if not any(table in statement for table in STORE_TABLES):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _count(client: TestClient, url: str) -> tuple[int, tuple[int, int]]:
    """(statements, size of the answer: items and bytes), counted on the engine the app uses
    (an earlier test may have disposed the engines, and the fixture's is then another)."""
    with counting(client.app.state.engine) as statements:
        # JSON wherever there is JSON (charts are SVG only).
        response = client.get(url, headers={"Accept": "application/json, */*;q=0.1"})
    assert response.status_code == 200, (url, response.text)
    is_json = response.headers["content-type"].startswith("application/json")
    body = response.json() if is_json else None
    items = len(body["items"]) if isinstance(body, dict) and "items" in body else 1
    return len(statements), (items, len(response.content))


def _codes(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql))]


def _urls_by_template(engine) -> dict[str, list[str]]:
    goals = [code for (code,) in _codes(engine, "SELECT code FROM goal")]
    indicators = [code for (code,) in _codes(engine, "SELECT code FROM indicator")]
    metrics = [code for (code,) in _codes(engine, "SELECT code FROM metric")]
    perspectives = [code for (code,) in _codes(engine, "SELECT code FROM perspective")]
    statuses = _codes(engine, "SELECT goal_code, id FROM status_update")
    measurements = _codes(
        engine, "SELECT metric_code, period FROM measurement WHERE source IS NULL"
    )
    collection_sizes = ("pageSize=1", "pageSize=500")
    return {
        "/v1": ["/v1"],
        "/v1/perspectives": [f"/v1/perspectives?{size}" for size in collection_sizes],
        "/v1/perspectives/{code}": [f"/v1/perspectives/{code}" for code in perspectives],
        "/v1/goals": [f"/v1/goals?{size}" for size in collection_sizes],
        "/v1/goals/{code}": [f"/v1/goals/{code}" for code in goals],
        "/v1/goals/{code}/statuses": [f"/v1/goals/{code}/statuses" for code in goals],
        "/v1/goals/{code}/statuses/{id}": [
            f"/v1/goals/{code}/statuses/{status_id}" for code, status_id in statuses[:40]
        ],
        "/v1/indicators": [f"/v1/indicators?{size}" for size in collection_sizes],
        "/v1/indicators/{code}": [f"/v1/indicators/{code}" for code in indicators],
        "/v1/metrics": [f"/v1/metrics?{size}" for size in collection_sizes],
        "/v1/metrics/{code}": [f"/v1/metrics/{code}" for code in metrics],
        "/v1/metrics/{code}/measurements": [f"/v1/metrics/{code}/measurements" for code in metrics],
        "/v1/metrics/{code}/measurements/{period}": [
            f"/v1/metrics/{code}/measurements/{period}" for code, period in measurements[:40]
        ],
        "/v1/metrics/{code}/measurements/{period}/revisions": [
            f"/v1/metrics/{code}/measurements/{period}/revisions"
            for code, period in measurements[:20]
        ],
        "/v1/measurements": [f"/v1/measurements?{size}" for size in collection_sizes],
        "/v1/search": [f"/v1/search?q=stad&{size}" for size in collection_sizes],
        "/v1/units": [f"/v1/units?{size}" for size in collection_sizes],
        "/v1/units/{code}": [
            f"/v1/units/{code}" for (code,) in _codes(engine, "SELECT code FROM unit")
        ],
        "/v1/milestones": [f"/v1/milestones?{size}" for size in collection_sizes],
        "/v1/goals/{code}/milestones": [f"/v1/goals/{code}/milestones" for code in goals],
        "/v1/targets": [f"/v1/targets?{size}" for size in collection_sizes],
        # One document each (the whole dataset): a fixed number of statements.
        "/v1/export": ["/v1/export"],
        "/v1/catalog": ["/v1/catalog"],
        "/v1/downloads/datapackage.json": ["/v1/downloads/datapackage.json"],
        **{
            f"/v1/downloads/{table.file_name}": [
                f"/v1/downloads/{table.file_name}",
                f"/v1/downloads/{table.file_name}?format=csv-excel",
            ]
            for table in TABLES
        },
        "/v1/summary": ["/v1/summary", "/v1/summary?perspective=C", "/v1/summary?asOf=2018-01-01"],
        "/v1/summary/history": ["/v1/summary/history", "/v1/summary/history?perspective=A"],
        "/v1/metrics/{code}/chart.svg": [f"/v1/metrics/{code}/chart.svg" for code in metrics],
        "/v1/indicators/{code}/chart.svg": [
            f"/v1/indicators/{code}/chart.svg" for code in indicators
        ],
    }


def test_statement_counts_do_not_grow_with_the_result(uncached, engine):
    urls = _urls_by_template(engine)
    document = uncached.get("/v1/openapi.json").json()
    # Paths are documented relative to the server URL (/v1).
    read_paths = {
        (document["servers"][0]["url"] + path).rstrip("/")
        for path, item in document["paths"].items()
        if "get" in item
    }
    uncovered = read_paths - set(urls)
    assert not uncovered, f"add these GET paths to the query-count test: {sorted(uncovered)}"
    for template in sorted(read_paths):
        counts: Tally[int] = Tally()
        sizes = set()
        for url in urls[template]:
            statements, size = _count(uncached, url)
            counts[statements] += 1
            sizes.add(size)
        # One count for every result size (a fixed number of queries per request).
        assert len(counts) == 1, f"{template}: statements per request vary: {dict(counts)}"
        if len(urls[template]) > 1:
            # (The seed's status histories hold one entry per goal: they vary in bytes only.)
            assert len(sizes) > 1, f"{template}: the URLs do not vary the result size"


def _scaled_urls() -> list[str]:
    return [
        "/v1/export",
        "/v1/export?format=zip",
        "/v1/catalog",
        *[f"/v1/downloads/{table.file_name}" for table in TABLES],
        "/v1/goals?pageSize=500",
        "/v1/goals/A1",
        "/v1/goals/A1/statuses?pageSize=500",
        "/v1/indicators/M1",
        "/v1/metrics?pageSize=500",
        "/v1/metrics/M1.1",
        "/v1/metrics/M1.1/measurements?pageSize=500",
        "/v1/measurements?pageSize=500",
        "/v1/perspectives/A",
        "/v1/search?q=stad&pageSize=500",
    ]


def test_statement_counts_stay_the_same_with_much_more_history(uncached, scaled_client):
    grown = []
    for url in _scaled_urls():
        seed_statements, seed_size = _count(uncached, url)
        scaled_statements, scaled_size = _count(scaled_client, url)
        if scaled_statements != seed_statements:
            grown.append((url, seed_statements, scaled_statements))
        if url in ("/v1/export", "/v1/downloads/statuses.csv", "/v1/downloads/measurements.csv"):
            assert scaled_size[1] > 2 * seed_size[1], url
    assert not grown, f"statements grow with the data (url, seed, scaled): {grown}"
