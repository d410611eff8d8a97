"""app/services/measurements.py: the measurement table pages from an index in report order
(indicator, metric, period), so a year filter never sorts every matching row. The plans are read
on a database with many generated figures, where a poor plan would show."""

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from app.services import measurements

GENERATED_YEARS = range(1900, 2000)
PAGE_SIZE = 100


@pytest.fixture(scope="module")
def many_figures(writable_engine):
    """Every metric with a figure for each year 1900-1999 (the seed's years are later)."""
    with writable_engine.begin() as connection:
        codes = [row[0] for row in connection.execute(sa.text("SELECT code FROM metric"))]
        connection.execute(
            sa.text(
                "INSERT INTO measurement (metric_code, period, period_type, period_start, "
                "period_end, value, value_text, status, version) "
                "VALUES (:code, :period, 'year', :year, :year, 1, '1', 'final', 1)"
            ),
            [
                {"code": code, "period": str(year), "year": year}
                for code in codes
                for year in GENERATED_YEARS
            ],
        )
        if writable_engine.dialect.name == "postgresql":
            connection.execute(sa.text("ANALYZE"))
    return writable_engine


def _plan(engine, **filters) -> str:
    """The plan of the page query that `list_measurements` runs with these filters."""
    statements: list[tuple] = []

    def capture(_connection, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            measurements.list_measurements(session, page_size=PAGE_SIZE, cursor=None, **filters)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = next(s for s in statements if "ORDER BY" in s[0])
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters)
        return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(
    "filters",
    [
        {"year_from": 2015, "year_to": 2018},
        {"year": 2016},
        {},
        {"perspective": ["B"], "year_from": 2015},
        {"indicator": ["M7"], "year_to": 2018},
        {"metric": ["M7.1"], "year": 2016},
        {"status": ["final"], "year_to": 1950},
    ],
)
def test_the_measurement_table_pages_from_an_index_without_sorting(many_figures, filters):
    plan = _plan(many_figures, **filters)
    if many_figures.dialect.name == "sqlite":
        # SQLite has no statistics here: the plan must follow the order by itself.
        assert "ix_measurement_metric_period" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    else:
        # PostgreSQL plans by cost: sorting the hundred figures of a narrow filter is right,
        # sorting the table is not. An incremental sort, presorted by indicator, sorts one
        # indicator's figures at a time and stops at the page.
        full_sorts = re.findall(r"(?<!Incremental )Sort  \(cost=\S+ rows=(\d+)", plan)
        assert all(int(rows) <= 10 * PAGE_SIZE for rows in full_sorts), plan
        if not filters:
            assert "ix_measurement_metric_period" in plan, plan


def test_the_generated_figures_page_in_report_order(many_figures):
    with Session(many_figures) as session:
        page = measurements.list_measurements(
            session, year_from=1950, year_to=1952, page_size=500, cursor=None
        )
    keys = [
        (view.metric.indicator_code, view.metric.position, view.measurement.period_start)
        for view in page.items
    ]
    assert len(keys) == 3 * len(set(key[:2] for key in keys))
