"""Full-text search over goal texts, status texts, indicator names and metric names, with each
database's own full-text search (the index is built by migration 0003).

Search input is data, never query syntax: the words of `q` (runs of letters and digits) are
extracted here and handed to the database as quoted terms, so quotes, operators and parentheses
in `q` are ignored rather than interpreted. Every word must match.

- SQLite (FTS5, unicode61, diacritics removed): no stemmer; each word matches as a prefix, so
  "fiets" finds "fietsers" and "fietspad", but "laadpalen" does not find "laadpaal".
- PostgreSQL ('dutch' text search configuration): words are stemmed, so "laadpalen" finds
  "laadpaal" and "fietsen" finds "fiets"; no prefix matching.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import InvalidParameterError
from app.models import Goal, Indicator, Metric, StatusUpdate
from app.services.filters import perspective_codes
from app.services.paging import Page, decode_cursor, encode_cursor

KINDS = ("goal", "status", "indicator", "metric")
HIGHLIGHT_START, HIGHLIGHT_END = "«", "»"
SNIPPET_WORDS = 16

_WORD = re.compile(r"\w+")
# More words than this is not a search but a paste; it would only make the query slow.
MAX_WORDS = 32
# Results are ranked in Python; the cursor is the offset of the next page.
SEARCH_ORDER = [sa.column("offset", sa.Integer)]


@dataclass
class SearchHit:
    kind: str
    ref: str
    score: float
    snippet: str
    perspective_code: str
    goal_code: str | None = None


def search_words(query: str) -> list[str]:
    if "\x00" in query:
        raise InvalidParameterError("q", "must not contain NUL characters")
    words = _WORD.findall(query)
    if not words:
        raise InvalidParameterError("q", "must contain at least one letter or digit")
    if len(words) > MAX_WORDS:
        raise InvalidParameterError("q", f"at most {MAX_WORDS} words")
    return words


def search(
    session: Session,
    query: str,
    *,
    perspective: list[str] | None,
    kind: list[str] | None,
    page_size: int,
    cursor: str | None,
) -> Page[SearchHit]:
    words = search_words(query)
    codes = perspective_codes(session, perspective) if perspective is not None else None
    offset = decode_cursor(cursor, SEARCH_ORDER)[0] if cursor else 0
    kinds = [name for name in KINDS if kind is None or name in kind]
    if session.get_bind().dialect.name == "postgresql":
        hits = _postgresql_hits(session, words, kinds)
    else:
        hits = _sqlite_hits(session, words, kinds)
    _attach_perspectives(session, hits)
    if codes is not None:
        hits = [hit for hit in hits if hit.perspective_code in codes]
    # Best first; equal scores in a fixed order, so pages never overlap or skip.
    hits.sort(key=lambda hit: (-hit.score, KINDS.index(hit.kind), _natural(hit.ref)))
    page = hits[offset : offset + page_size]
    more = offset + page_size < len(hits)
    return Page(
        items=page,
        next_cursor=encode_cursor([offset + page_size]) if more else None,
    )


def _natural(ref: str) -> tuple:
    # "C10" after "C9"; status ids numerically.
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", ref))


def _sqlite_hits(session: Session, words: list[str], kinds: list[str]) -> list[SearchHit]:
    # Each word a quoted FTS5 string (no operator inside quotes has any meaning), as a prefix.
    match = " ".join(f'"{word}"*' for word in words)
    statement = sa.text(
        "SELECT kind, ref, bm25(search_index) AS rank, "
        "snippet(search_index, 2, :start, :end, '…', :words) AS snippet "
        "FROM search_index WHERE search_index MATCH :match AND kind IN :kinds"
    ).bindparams(sa.bindparam("kinds", expanding=True))
    rows = session.execute(
        statement,
        {
            "match": match,
            "kinds": kinds,
            "start": HIGHLIGHT_START,
            "end": HIGHLIGHT_END,
            "words": SNIPPET_WORDS,
        },
    )
    # bm25 is lower for better matches.
    return [SearchHit(row.kind, row.ref, -row.rank, row.snippet, "") for row in rows]


# The expressions migration 0003 indexes; they must stay identical for the GIN index to apply.
_POSTGRESQL_SOURCES = {
    "goal": ("goal", "code", "text"),
    "status": ("status_update", "id::text", "text"),
    "indicator": ("indicator", "code", "name"),
    "metric": ("metric", "code", "name || coalesce(' ' || breakdown, '')"),
}


def _postgresql_hits(session: Session, words: list[str], kinds: list[str]) -> list[SearchHit]:
    selects = []
    for kind in kinds:
        table, key, text = _POSTGRESQL_SOURCES[kind]
        document = f"to_tsvector('dutch'::regconfig, {text})"
        selects.append(
            f"SELECT '{kind}' AS kind, {key} AS ref, ts_rank({document}, query) AS rank, "
            f"ts_headline('dutch'::regconfig, {text}, query, :options) AS snippet "
            f"FROM {table}, query WHERE {document} @@ query"
        )
    statement = sa.text(
        # websearch_to_tsquery never fails on its input; the words carry no operators anyway.
        "WITH query AS (SELECT websearch_to_tsquery('dutch'::regconfig, :words) AS query) "
        + " UNION ALL ".join(selects)
    )
    options = (
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, "
        f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
    )
    rows = session.execute(statement, {"words": " ".join(words), "options": options})
    return [SearchHit(row.kind, row.ref, float(row.rank), row.snippet, "") for row in rows]


def _attach_perspectives(session: Session, hits: list[SearchHit]) -> None:
    if not hits:
        return
    goal_perspectives = dict(session.execute(sa.select(Goal.code, Goal.perspective_code)).all())
    indicator_perspectives = dict(
        session.execute(sa.select(Indicator.code, Indicator.perspective_code)).all()
    )
    metric_indicators = dict(session.execute(sa.select(Metric.code, Metric.indicator_code)).all())
    status_ids = [int(hit.ref) for hit in hits if hit.kind == "status"]
    status_goals = (
        dict(
            session.execute(
                sa.select(StatusUpdate.id, StatusUpdate.goal_code).where(
                    StatusUpdate.id.in_(status_ids)
                )
            ).all()
        )
        if status_ids
        else {}
    )
    for hit in hits:
        if hit.kind == "goal":
            hit.perspective_code = goal_perspectives[hit.ref]
        elif hit.kind == "status":
            hit.goal_code = status_goals[int(hit.ref)]
            hit.perspective_code = goal_perspectives[hit.goal_code]
        elif hit.kind == "indicator":
            hit.perspective_code = indicator_perspectives[hit.ref]
        else:
            hit.perspective_code = indicator_perspectives[metric_indicators[hit.ref]]
