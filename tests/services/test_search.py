"""app/services/search.py on a database with more matching statuses than a search ranks (the
scaled database: the seed and 720 generated statuses, each with the word "generated"): a search
ranks every matching goal, indicator and metric and only the `ranked_statuses` newest matching
statuses, and the work its statement does follows that bound, not the number of hits.

The work is counted in the statement the search actually runs, executed again: SQLite's
virtual-machine instructions (a progress handler) and, on PostgreSQL, the rows its plan reads
from `status_update` (EXPLAIN ANALYZE). How fast that is at 1000x the report is measured by
`bench/search_scale.py`, not asserted here.
"""

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.services import search
from tests.scaled_database import scaled_engine, scaled_settings  # noqa: F401

GENERATED = "generated"


@pytest.fixture(scope="module")
def generated_ids(scaled_engine: sa.Engine) -> list[int]:  # noqa: F811
    """Ids of the statuses with the word "generated", newest first."""
    with scaled_engine.connect() as connection:
        ids = connection.execute(
            sa.text("SELECT id FROM status_update WHERE lower(text) LIKE :word ORDER BY id DESC"),
            {"word": f"%{GENERATED}%"},
        ).scalars()
        return list(ids)


def _search(engine: sa.Engine, query: str, ranked: int, **filters) -> list[search.SearchHit]:
    """Every page of a search with `ranked` ranked statuses."""
    limits = search.SearchLimits(ranked_statuses=ranked, timeout_ms=60_000)
    hits, cursor = [], None
    with Session(engine) as session:
        while True:
            page = search.search(
                session,
                query,
                perspective=filters.get("perspective"),
                kind=filters.get("kind"),
                page_size=25,
                cursor=cursor,
                limits=limits,
            )
            hits += page.items
            if page.next_cursor is None:
                return hits
            cursor = page.next_cursor


def test_a_search_ranks_the_newest_matching_statuses(scaled_engine, generated_ids):  # noqa: F811
    assert len(generated_ids) == 720

    hits = _search(scaled_engine, GENERATED, ranked=50)

    assert [hit.kind for hit in hits] == ["status"] * 50
    assert sorted(int(hit.ref) for hit in hits) == sorted(generated_ids[:50])
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_ranking_every_match_when_there_are_fewer_than_the_bound(scaled_engine, generated_ids):  # noqa: F811
    hits = _search(scaled_engine, GENERATED, ranked=1000)

    assert sorted(int(hit.ref) for hit in hits) == sorted(generated_ids)


def test_filters_apply_before_the_bound(scaled_engine, generated_ids):  # noqa: F811
    with scaled_engine.connect() as connection:
        in_c = connection.execute(
            sa.text(
                "SELECT status_update.id FROM status_update JOIN goal "
                "ON goal.code = status_update.goal_code "
                "WHERE goal.perspective_code = 'C' AND lower(status_update.text) LIKE :word "
                "ORDER BY status_update.id DESC LIMIT 30"
            ),
            {"word": f"%{GENERATED}%"},
        ).scalars()
        expected = sorted(in_c)

    hits = _search(scaled_engine, GENERATED, ranked=30, perspective=["C"], kind=["status"])

    assert sorted(int(hit.ref) for hit in hits) == expected
    assert {hit.perspective_code for hit in hits} == {"C"}


def test_goals_indicators_and_metrics_are_ranked_beside_the_newest_statuses(scaled_engine):  # noqa: F811
    """However many statuses match, the catalogue's matches are all ranked: a goal's own text
    comes first for the words of that text."""
    with scaled_engine.connect() as connection:
        code, text = connection.execute(
            sa.text("SELECT code, text FROM goal ORDER BY code LIMIT 1")
        ).one()
    words = " ".join(text.split()[:6])

    hits = _search(scaled_engine, words, ranked=5)

    assert (hits[0].kind, hits[0].ref) == ("goal", code)
    assert sum(hit.kind == "status" for hit in hits) <= 5


def _statement_of_search(engine: sa.Engine, query: str, ranked: int) -> tuple[str, object]:
    """The search statement a search runs (the one that ranks), with its parameters."""
    captured = []

    def capture(_connection, _cursor, statement, parameters, _context, _executemany):
        if "bm25" in statement or "ts_rank" in statement:
            captured.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        _search(engine, query, ranked)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return captured[0]


def _work(engine: sa.Engine, query: str, ranked: int) -> int:
    statement, parameters = _statement_of_search(engine, query, ranked)
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if engine.dialect.name == "postgresql":
            return _status_rows_read(driver, statement, parameters)
        return _virtual_machine_steps(driver, statement, parameters)


def _virtual_machine_steps(driver, statement: str, parameters) -> int:
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    driver.set_progress_handler(count, 10)
    try:
        driver.execute(statement, parameters).fetchall()
    finally:
        driver.set_progress_handler(None, 0)
    return steps[0]


def _status_rows_read(driver, statement: str, parameters) -> int:
    """Rows the plan's nodes read from status_update (those it kept and those it dropped)."""
    driver.execute("SET enable_seqscan = off")  # as the search sets it
    (plan,) = driver.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).fetchone()
    driver.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return sum(
        (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0))
        * node.get("Actual Loops", 1)
        for node in _nodes(plan[0]["Plan"])
        if node.get("Relation Name") == "status_update"
    )


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def test_the_work_of_a_search_follows_the_ranked_statuses_not_the_hits(scaled_engine):  # noqa: F811
    """720 statuses match; ranking 20 of them must cost a fraction of ranking all 720. Ranking
    every hit (the design before) costs the same whatever the bound."""
    bounded = _work(scaled_engine, GENERATED, ranked=20)
    everything = _work(scaled_engine, GENERATED, ranked=720)

    assert bounded * 4 < everything, (bounded, everything)
