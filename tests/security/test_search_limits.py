"""Search cannot stall the service: repeated, redundant or too many words, short prefixes and
large texts are bounded, and every search statement has a time budget on both databases
(SQLite's progress handler, PostgreSQL's `statement_timeout` for that statement only).

The attack: `q` of 32 one-letter words (`v v v ...`) once an 11 KB and a 44 KB status are
stored held a thread, a connection and a core for minutes on SQLite; on PostgreSQL 24 words on
a 0.5 MB status took seconds. How fast each search answers is measured by
`bench/search_scale.py --attacks`, not asserted here.
"""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import Settings
from app.core.errors import InvalidParameterError
from app.main import create_app
from app.seed import read_seed
from app.services import search

SEED = Path(__file__).resolve().parents[2] / "seed"
ONE_LETTER_WORDS = " ".join(["v"] * 16)
# The attack as reported: 32 one-letter words, 63 bytes, no key.
THIRTY_TWO_WORDS = " ".join(["v"] * 32)
# 24 different words of the report, each at least as long as the minimum prefix length.
MANY_WORDS = (
    "gemeente raad maastricht van voor wordt stad zijn niet met worden ook "
    "door naar deze plan over meer inwoners college beleid samen jaar onderzoek"
)


def report_text(size: int) -> str:
    """`size` characters of the report's own status texts, repeated."""
    seed = read_seed(SEED)
    words = " ".join(status.text for goal in seed.goals for status in goal.statuses)
    return (words * (size // len(words) + 1))[:size]


def store_large_statuses(engine: sa.Engine, sizes: list[int]) -> None:
    """Large texts in stored statuses, written to the database directly: however a text got
    there (an earlier version, an import, psql), search must cope with it."""
    with Session(engine) as session:
        ids = session.execute(
            sa.text("SELECT id FROM status_update ORDER BY id LIMIT :n"), {"n": len(sizes)}
        ).scalars()
        for status_id, size in zip(list(ids), sizes, strict=True):
            session.execute(
                sa.text("UPDATE status_update SET text = :text WHERE id = :id"),
                {"text": report_text(size), "id": status_id},
            )
        session.commit()


@pytest.fixture(scope="module")
def large_texts(writable_engine: sa.Engine) -> None:
    store_large_statuses(writable_engine, [11_000, 44_000, 500_000])


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def items(client: TestClient, query: str, **params: str) -> list[tuple[str, str]]:
    response = client.get("/v1/search", params={"q": query, "pageSize": "500", **params})
    assert response.status_code == 200, response.text
    return [(item["type"], item["code"]) for item in response.json()["items"]]


def test_repeated_one_letter_words_are_one_word(writable_client, large_texts):
    response = writable_client.get("/v1/search", params={"q": ONE_LETTER_WORDS})

    assert response.status_code == 200, response.text
    assert items(writable_client, ONE_LETTER_WORDS) == items(writable_client, "v")


def test_repeated_and_redundant_words_do_not_count(writable_client, large_texts):
    # "raa" and "raad" are redundant next to "raadsbesluit": whatever it matches, they match.
    assert items(writable_client, "Raad raad RAAD") == items(writable_client, "raad")
    assert items(writable_client, "raa raad raadsbesluit") == items(writable_client, "raadsbesluit")


def test_words_shorter_than_the_prefix_length_match_only_themselves(writable_client):
    # "va" starts "van" in every other status, but as a word of its own it is nowhere.
    assert items(writable_client, "va") == []
    assert items(writable_client, "van")


def test_too_many_words_is_400(writable_client, large_texts):
    assert len(set(MANY_WORDS.split())) == 24 > search.SearchLimits().max_words
    for query in (MANY_WORDS, THIRTY_TWO_WORDS, " ".join("abcdefghijklmnopqrstuvwxyz"[:17])):
        body = assert_problem(writable_client.get("/v1/search", params={"q": query}), 400)
        assert [param["name"] for param in body["invalidParams"]] == ["q"]


def test_the_word_bound_is_the_same_in_the_service_and_the_schema():
    limits = search.SearchLimits()
    with pytest.raises(InvalidParameterError):
        search.search_words(" ".join(["v"] * (limits.max_words + 1)), limits)
    assert len(search.search_words(ONE_LETTER_WORDS, limits)) == 1


def test_the_most_words_allowed_on_large_texts_answer(writable_client, large_texts):
    sixteen = " ".join(MANY_WORDS.split()[:16])
    response = writable_client.get("/v1/search", params={"q": sixteen})
    # Within its time budget (200) or stopped at it (503); never a stall, never a 500.
    assert response.status_code in (200, 503), response.text
    if response.status_code == 503:
        assert_problem(response, 503)


@pytest.fixture(scope="module")
def tight_client(writable_settings: Settings, large_texts) -> Iterator[TestClient]:
    """The same database with a search budget of 1 ms: every search on it runs out."""
    settings = writable_settings.model_copy(
        update={"search_timeout_ms": 1, "response_cache_enabled": False}
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_search_over_its_time_budget_is_stopped_with_503(tight_client):
    response = tight_client.get("/v1/search", params={"q": "maastricht raad", "pageSize": "500"})

    body = assert_problem(response, 503)
    assert "1 ms" in body["detail"]
    # The connection it ran on is fine: the next request on the same pool answers.
    assert tight_client.get("/v1/goals/A1").status_code == 200


def test_the_budget_applies_to_the_search_statement_only(writable_engine):
    limits = search.SearchLimits(timeout_ms=100)
    with Session(writable_engine) as session:
        page = search.search(
            session, "xyzzyqq", perspective=None, kind=None, page_size=5, cursor=None, limits=limits
        )
        assert page.items == []
        time.sleep(0.2)  # the search's deadline is past
        if writable_engine.dialect.name == "postgresql":
            timeout = session.execute(sa.text("SHOW statement_timeout")).scalar_one()
            assert timeout == "0"
            # Sequential scans are off for the search statement only, too.
            assert session.execute(sa.text("SHOW enable_seqscan")).scalar_one() == "on"
        else:
            # No progress handler left behind: a long statement on this connection runs on.
            count = session.execute(
                sa.text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < 100000) SELECT count(*) FROM n"
                )
            ).scalar_one()
            assert count == 100000


def test_large_texts_get_marked_snippets_too(writable_client, large_texts):
    response = writable_client.get("/v1/search", params={"q": "raad", "pageSize": "500"})

    assert response.status_code == 200, response.text
    results = response.json()["items"]
    assert len(results) > 3
    assert all(re.search(r"«raad\w*»", item["snippet"], re.I) for item in results)
    assert max(len(item["snippet"]) for item in results) < 1000
