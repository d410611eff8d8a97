"""Every filter of every collection runs from an index, on both databases. The statements are
the ones the services really run, captured while the real endpoints answer over HTTP; their
plans are read on a database grown with generated rows (thousands of goals, status updates,
indicators, metrics and figures, all marked as test data), where a scan of a big table would
show. PostgreSQL's statistics are refreshed first (as `coalition-monitor import` does)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.main import create_app

GENERATED_GOALS = 3500
STATUSES_PER_GOAL = 6
GENERATED_INDICATORS = 1400
YEARS_PER_METRIC = 20
# History grows without bound; a scan of these would grow with it. (Goals, indicators and
# metrics are the report's fixed lists: 120, 21 and 104 rows.)
BIG_TABLES = ("status_update", "measurement")


def _generate(connection) -> None:
    unit = connection.execute(sa.text("SELECT code FROM unit ORDER BY position")).scalar()
    connection.execute(
        sa.text(
            "INSERT INTO goal (code, perspective_code, position, text) "
            "VALUES (:code, :perspective, :position, :text)"
        ),
        [
            {
                "code": f"T{number}",
                # All in one perspective, so a filter on another is selective: then
                # only its index is a good plan.
                "perspective": "A",
                "position": 10_000 + number,
                "text": f"TEST DATA: generated goal {number}.",
            }
            for number in range(GENERATED_GOALS)
        ],
    )
    connection.execute(
        sa.text(
            "INSERT INTO status_update (goal_code, as_of, as_of_label, text, shared_with) "
            "VALUES (:goal, :as_of, 'testdata', :text, '[]')"
        ),
        [
            {
                "goal": f"T{number}",
                "as_of": f"{1990 + (number + step * 5) % 30}-0{1 + step}-01",
                "text": f"TEST DATA: generated status {step} of generated goal {number}.",
            }
            for number in range(GENERATED_GOALS)
            for step in range(STATUSES_PER_GOAL)
        ],
    )
    connection.execute(
        sa.text(
            "INSERT INTO indicator (code, perspective_code, position, name) "
            "VALUES (:code, :perspective, :position, :name)"
        ),
        [
            {
                "code": f"TI{number}",
                "perspective": "A",
                "position": 10_000 + number,
                "name": f"TEST DATA: generated indicator {number}",
            }
            for number in range(GENERATED_INDICATORS)
        ],
    )
    connection.execute(
        sa.text(
            "INSERT INTO metric (code, indicator_code, position, name, unit, notes) "
            "VALUES (:code, :indicator, 1, :name, :unit, '[]')"
        ),
        [
            {
                "code": f"TI{number}.1",
                "indicator": f"TI{number}",
                "name": f"TEST DATA: generated metric {number}",
                "unit": unit,
            }
            for number in range(GENERATED_INDICATORS)
        ],
    )
    connection.execute(
        sa.text(
            "INSERT INTO measurement (metric_code, period, period_type, period_start, "
            "period_end, value, value_text, status, version) "
            "VALUES (:metric, :period, 'year', :year, :year, 1, '1', 'final', 1)"
        ),
        [
            {"metric": f"TI{number}.1", "period": str(year), "year": year}
            for number in range(GENERATED_INDICATORS)
            for year in range(1960, 1960 + YEARS_PER_METRIC)
        ],
    )


@pytest.fixture(scope="module")
def grown(writable_settings, writable_engine) -> Iterator[TestClient]:
    with writable_engine.begin() as connection:
        _generate(connection)
    if writable_engine.dialect.name == "postgresql":
        # A database at rest: fresh statistics, and the GIN indexes' pending lists (where bulk
        # inserts wait) merged, as autovacuum leaves them.
        with writable_engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                sa.text("VACUUM ANALYZE")
            )
    settings = writable_settings.model_copy(update={"response_cache_enabled": False})
    with TestClient(create_app(settings)) as client:
        yield client


@dataclass
class Captured:
    statement: str
    parameters: object


def _statements(client: TestClient, engine, url: str) -> list[Captured]:
    """What the database was asked while `url` was answered."""
    captured: list[Captured] = []

    def capture(_connection, _cursor, statement, parameters, _context, _executemany):
        captured.append(Captured(statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200, response.text
    return captured


def _plan(engine, captured: Captured) -> str:
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + captured.statement, captured.parameters)
        return "\n".join(str(row[-1]) for row in rows)


def _full_scans(engine, plan: str) -> list[str]:
    tables = "|".join(BIG_TABLES)
    if engine.dialect.name == "sqlite":
        # "SCAN t" reads the whole table; "SCAN t USING INDEX i" walks an index in order (and
        # stops at the page), "SEARCH t USING INDEX i" looks up from it.
        return re.findall(rf"SCAN ((?:{tables})(?:_\d+)?)\b(?! USING)", plan)
    return re.findall(rf"Seq Scan on ({tables})\b", plan)


@dataclass
class Case:
    url: str
    # The filter's own condition: picks the statements that apply it.
    marker: str | dict[str, str]
    # Every one of these indexes is in the plan.
    indexes: tuple[str, ...] | dict[str, tuple[str, ...]]


def _per_dialect(value, dialect: str):
    return value[dialect] if isinstance(value, dict) else value


CASES = {
    "measurements, period overlap": Case(
        "/v1/measurements?yearFrom=1965&yearTo=1966",
        "measurement.period_start <=",
        ("ix_measurement_metric_period",),
    ),
    "measurements, year": Case(
        "/v1/measurements?year=1965",
        "measurement.period_start <=",
        ("ix_measurement_metric_period",),
    ),
    "measurements, perspective and period overlap": Case(
        "/v1/measurements?perspective=C&yearFrom=1965",
        "measurement.period_end >=",
        ("uq_indicator_perspective_position", "ix_measurement_metric_period"),
    ),
    "a metric's measurements, period overlap": Case(
        "/v1/metrics/TI5.1/measurements?yearFrom=1965&yearTo=1970",
        "measurement.period_start <=",
        ("ix_measurement_metric_period",),
    ),
    "a metric's measurement of one period": Case(
        "/v1/metrics/TI5.1/measurements/1965",
        "measurement.period_start =",
        ("ix_measurement_metric_period",),
    ),
    "goals, year": Case(
        "/v1/goals?year=2001", "status_update.as_of >=", ("ix_status_update_goal_as_of",)
    ),
    "a goal's statuses, year": Case(
        "/v1/goals/T7/statuses?year=2001",
        "status_update.as_of >=",
        ("ix_status_update_goal_as_of",),
    ),
    "goals, perspective": Case(
        "/v1/goals?perspective=C", "goal.perspective_code IN", ("ix_goal_perspective_code",)
    ),
    "indicators, perspective": Case(
        "/v1/indicators?perspective=C",
        "indicator.perspective_code IN",
        ("uq_indicator_perspective_position",),
    ),
    "metrics, perspective": Case(
        "/v1/metrics?perspective=C",
        "indicator.perspective_code IN",
        ("uq_indicator_perspective_position",),
    ),
    "goals, asOf (each goal's status as of the date)": Case(
        "/v1/goals?asOf=2005-06-01",
        "as_of <=",
        ("ix_status_update_goal_as_of", "uq_status_update_supersedes_id"),
    ),
    "a goal, asOf": Case(
        "/v1/goals/T7?asOf=2005-06-01",
        "as_of <=",
        ("ix_status_update_goal_as_of", "uq_status_update_supersedes_id"),
    ),
    "goals, progress asOf": Case(
        "/v1/goals?progress=achieved&asOf=2005-06-01",
        "status_update.progress IN",
        ("ix_status_update_goal_as_of",),
    ),
    "search": Case(
        "/v1/search?q=klimaat",
        {"sqlite": "MATCH", "postgresql": "@@"},
        {
            # M: the full-text MATCH itself finds the rows.
            "sqlite": ("search_index VIRTUAL TABLE INDEX 0:M",),
            "postgresql": ("ix_search_goal", "ix_search_status"),
        },
    ),
    "search, perspective": Case(
        "/v1/search?q=klimaat&perspective=C",
        {"sqlite": "MATCH", "postgresql": "@@"},
        {
            "sqlite": ("search_index VIRTUAL TABLE INDEX 0:M",),
            "postgresql": ("ix_search_goal", "ix_search_status"),
        },
    ),
}


@pytest.mark.parametrize("name", CASES, ids=lambda name: re.sub(r"\W+", "-", name))
def test_each_filter_runs_from_an_index(grown, writable_engine, name):
    case = CASES[name]
    dialect = writable_engine.dialect.name
    marker = _per_dialect(case.marker, dialect)
    statements = [
        captured
        for captured in _statements(grown, writable_engine, case.url)
        if marker in captured.statement
    ]
    assert statements, f"no statement with {marker!r}"
    for captured in statements:
        plan = _plan(writable_engine, captured)
        described = f"{captured.statement}\n--- plan:\n{plan}"
        for index in _per_dialect(case.indexes, dialect):
            assert index in plan, described
        assert _full_scans(writable_engine, plan) == [], described
