"""Full-text search over goal texts, status texts, indicator names and metric names, with each
database's own full-text search (the index is built by migrations 0003 and 0005_search_vectors).

Search input is data, never query syntax: the words of `q` (runs of letters and digits) are
extracted here and handed to the database as quoted terms, so quotes, operators (`or`, `not`)
and parentheses in `q` are ignored rather than interpreted. Every word must match, and a word
matches on both databases:

- as itself ("woning" finds "woning"), ignoring case (and, on SQLite, diacritics);
- as the start of a longer word, which in Dutch is mostly a compound ("klimaat" finds
  "Klimaatmonitor" and "klimaatneutrale", "fiets" finds "fietsers"), when the word has at least
  `min_prefix_length` letters; shorter words match only themselves;
- on PostgreSQL also by its Dutch stem ("laadpalen" finds "laadpaal": both are stemmed
  "laadpal"); SQLite has no Dutch stemmer. The stem is matched as a whole word only: as a
  prefix, "raad" (stem "rad") would find "radio".

A search ranks every matching goal, indicator and metric (the report's catalogue, a few hundred
texts) and, of the matching statuses, only the `ranked_statuses` most recently added ones (the
highest ids): older matching statuses are not among its results, and more specific words narrow
it. The candidates come from the index in id order, which costs next to nothing per hit, and
only they are ranked, so the cost of ranking is bounded whatever the number of hits; the
database ranks, cuts the page and builds the snippets for the page only. Each search statement
has a time budget (`timeout_ms`); a search that exceeds it is stopped by the database and
answered with 503, so no request can hold a connection and a core for longer.
"""

import re
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import InvalidParameterError, ProblemError
from app.services.filters import perspective_codes
from app.services.paging import Page, decode_cursor, encode_cursor

KINDS = ("goal", "status", "indicator", "metric")
HIGHLIGHT_START, HIGHLIGHT_END = "«", "»"
SNIPPET_WORDS = 16
# Longer texts get their snippet from _long_text_snippet() instead of the database's snippet
# function, whose cost grows faster than the text (see there).
SNIPPET_MAX_CHARS = 8000

# Runs of letters and digits: ASCII and the Latin-1 and Latin Extended letters Dutch uses, spelt
# out rather than `\w`, because the OpenAPI pattern of `q` is read by clients whose regular
# expressions disagree on `\w` (ECMA-262: ASCII only; Python and Rust: Unicode, differently).
_LETTERS = "0-9A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F"
_WORD = re.compile(f"[{_LETTERS}]+")
# Results are ranked in the database; the cursor is the offset of the next page.
SEARCH_ORDER = [sa.column("offset", sa.Integer)]
# SQLite calls the budget check after this many virtual-machine instructions (about 0.1 ms).
_SQLITE_PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class SearchLimits:
    """What one search may cost (settings SEARCH_MAX_WORDS, SEARCH_MIN_PREFIX_LENGTH,
    SEARCH_TIMEOUT_MS and SEARCH_RANKED_STATUSES)."""

    max_words: int = 16
    min_prefix_length: int = 3
    timeout_ms: int = 500
    ranked_statuses: int = 500


@dataclass
class SearchHit:
    kind: str
    ref: str
    score: float
    snippet: str
    perspective_code: str
    goal_code: str | None = None


@dataclass(frozen=True)
class SearchWord:
    text: str
    is_prefix: bool


class SearchTimeoutError(ProblemError):
    def __init__(self, limits: SearchLimits) -> None:
        super().__init__(
            503,
            f"The search took longer than {limits.timeout_ms} ms and was stopped; "
            "search with fewer or longer words.",
        )


def query_pattern(max_words: int) -> str:
    """`q` as the OpenAPI document states it: one to `max_words` words (runs of letters and
    digits, as `_WORD` reads them) and no NUL; anything else separates words."""
    separator = f"[^{_LETTERS}\\x00]"
    word = _WORD.pattern
    return f"^{separator}*(?:{word}{separator}+){{0,{max_words - 1}}}{word}{separator}*$"


def search_words(query: str, limits: SearchLimits) -> list[SearchWord]:
    """The distinct words of `query`, lower-cased, without words another word makes redundant
    (a prefix word that starts another word of the query matches wherever that one does)."""
    if "\x00" in query:
        raise InvalidParameterError("q", "must not contain NUL characters")
    written = _WORD.findall(query)
    if not written:
        raise InvalidParameterError("q", "must contain at least one letter or digit")
    # The bound is on the words as written, as the pattern of `q` states it; repeated and
    # redundant words then cost nothing.
    if len(written) > limits.max_words:
        raise InvalidParameterError("q", f"at most {limits.max_words} words")
    texts = list(dict.fromkeys(word.lower() for word in written))
    words = [SearchWord(text, len(text) >= limits.min_prefix_length) for text in texts]
    words = [
        word
        for word in words
        if not (
            word.is_prefix
            and any(other.text != word.text and other.text.startswith(word.text) for other in words)
        )
    ]
    return words


def search(
    session: Session,
    query: str,
    *,
    perspective: list[str] | None,
    kind: list[str] | None,
    page_size: int,
    cursor: str | None,
    limits: SearchLimits,
) -> Page[SearchHit]:
    words = search_words(query, limits)
    codes = perspective_codes(session, perspective) if perspective is not None else None
    offset = decode_cursor(cursor, SEARCH_ORDER)[0] if cursor else 0
    if codes == []:
        # Of the documented form but naming no perspective: nothing matches.
        return Page(items=[], next_cursor=None)
    request = _PageRequest(
        kinds=[name for name in KINDS if kind is None or name in kind],
        perspective_codes=codes,
        offset=offset,
        # One more than the page tells whether there is a next page.
        limit=page_size + 1,
        ranked_statuses=limits.ranked_statuses,
    )
    if session.get_bind().dialect.name == "postgresql":
        hits = _postgresql_page(session, words, request, limits)
    else:
        hits = _sqlite_page(session, words, request, limits)
    more = len(hits) > page_size
    return Page(
        items=hits[:page_size],
        next_cursor=encode_cursor([offset + page_size]) if more else None,
    )


@dataclass(frozen=True)
class _PageRequest:
    kinds: list[str]
    perspective_codes: list[str] | None
    offset: int
    limit: int
    ranked_statuses: int

    @property
    def catalogue_kinds(self) -> list[str]:
        return [kind for kind in self.kinds if kind != "status"]

    @property
    def some_catalogue_kinds(self) -> bool:
        """Whether the catalogue's hits are filtered by kind (`kind IN :kinds`)."""
        return 0 < len(self.catalogue_kinds) < len(KINDS) - 1


def _places(hits: str) -> str:
    """Joins that find each hit's perspective (and a status's goal) from its kind and ref."""
    return f"""
    LEFT JOIN goal ON {hits}.kind = 'goal' AND goal.code = {hits}.ref
    LEFT JOIN status_update ON status_update.id = {hits}.status_id
    LEFT JOIN goal AS status_goal ON status_goal.code = status_update.goal_code
    LEFT JOIN indicator ON {hits}.kind = 'indicator' AND indicator.code = {hits}.ref
    LEFT JOIN metric ON {hits}.kind = 'metric' AND metric.code = {hits}.ref
    LEFT JOIN indicator AS metric_indicator ON metric_indicator.code = metric.indicator_code
    """


_PERSPECTIVE = (
    "coalesce(goal.perspective_code, status_goal.perspective_code, "
    "indicator.perspective_code, metric_indicator.perspective_code)"
)


def _page_parameters(request: _PageRequest) -> dict[str, object]:
    return {
        "kinds": request.kinds,
        "perspectives": request.perspective_codes or [],
        "limit": request.limit,
        "offset": request.offset,
        "ranked_statuses": request.ranked_statuses,
        "start": HIGHLIGHT_START,
        "end": HIGHLIGHT_END,
    }


def _expanding(statement: sa.TextClause, request: _PageRequest, *, kinds: bool):
    """The list parameters of a search statement, bound as lists."""
    if kinds:
        statement = statement.bindparams(sa.bindparam("kinds", expanding=True))
    if request.perspective_codes is not None:
        statement = statement.bindparams(sa.bindparam("perspectives", expanding=True))
    return statement


def _hits(
    rows: Sequence[sa.Row], words: list[SearchWord], deadline: float, limits: SearchLimits
) -> list[SearchHit]:
    """The page's hits; texts longer than SNIPPET_MAX_CHARS come without a snippet from the
    database and get theirs here, within the same time budget."""
    hits = []
    for row in rows:
        snippet = row.snippet
        if row.long_text is not None:
            snippet = _long_text_snippet(row.long_text, words)
            if time.monotonic() > deadline:
                raise SearchTimeoutError(limits)
        hits.append(
            SearchHit(
                row.kind, row.ref, float(row.score), snippet, row.perspective_code, row.goal_code
            )
        )
    return hits


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_match(words: list[SearchWord]) -> str:
    # Each word one quoted FTS5 string (no operator inside quotes has any meaning).
    return " ".join(f'"{word.text}"' + ("*" if word.is_prefix else "") for word in words)


def _sqlite_candidates(request: _PageRequest) -> str:
    """The hits a search ranks, with their bm25 rank (lower is better): every matching goal,
    indicator and metric (negative rowids, migration 0010) and the newest matching statuses
    (rowid = status id), which FTS5 walks in rowid order without ranking the older ones."""
    parts = []
    if request.catalogue_kinds:
        condition = "AND kind IN :kinds" if request.some_catalogue_kinds else ""
        parts.append(
            "SELECT rowid AS hit, bm25(search_index) AS rank, kind, ref, "
            "NULL AS status_id FROM search_index "
            f"WHERE search_index MATCH :match AND rowid < 0 {condition}"
        )
    if "status" in request.kinds:
        joins, condition = "", ""
        if request.perspective_codes is not None:
            joins = (
                "JOIN status_update AS scope ON scope.id = search_index.rowid "
                "JOIN goal AS scope_goal ON scope_goal.code = scope.goal_code"
            )
            condition = "AND scope_goal.perspective_code IN :perspectives"
        parts.append(
            "SELECT * FROM (SELECT search_index.rowid AS hit, bm25(search_index) AS rank, "
            "'status' AS kind, CAST(search_index.rowid AS TEXT) AS ref, "
            f"search_index.rowid AS status_id FROM search_index {joins} "
            f"WHERE search_index MATCH :match AND search_index.rowid > 0 {condition} "
            "ORDER BY search_index.rowid DESC LIMIT :ranked_statuses)"
        )
    return " UNION ALL ".join(parts)


def _sqlite_page(
    session: Session, words: list[SearchWord], request: _PageRequest, limits: SearchLimits
) -> list[SearchHit]:
    # Rank the candidates, keep the page, and only then build its snippets (snippet() is by
    # far the dearest part of a search), in one more pass over the index limited to the page's
    # rowids: every MATCH reads the words' whole doclists again. Equal ranks in rowid order.
    joins = ""
    if request.perspective_codes is not None:
        joins = f"{_places('hits')} WHERE {_PERSPECTIVE} IN :perspectives"
    statement = sa.text(
        f"WITH hits AS ({_sqlite_candidates(request)}), "
        f"page AS (SELECT hits.* FROM hits {joins} "
        "ORDER BY hits.rank, hits.hit LIMIT :limit OFFSET :offset), "
        "found AS MATERIALIZED (SELECT search_index.rowid AS hit, "
        "CASE WHEN length(body) <= :snippet_chars "
        "THEN snippet(search_index, 2, :start, :end, '…', :words) END AS snippet, "
        "CASE WHEN length(body) > :snippet_chars THEN body END AS long_text "
        "FROM search_index WHERE search_index MATCH :match "
        "AND search_index.rowid BETWEEN (SELECT min(hit) FROM page) "
        "AND (SELECT max(hit) FROM page) AND +search_index.rowid IN (SELECT hit FROM page)) "
        "SELECT page.kind, page.ref, -page.rank AS score, found.snippet, found.long_text, "
        f"status_update.goal_code, {_PERSPECTIVE} AS perspective_code "
        f"FROM page JOIN found ON found.hit = page.hit {_places('page')} "
        "ORDER BY page.rank, page.hit"
    )
    statement = _expanding(statement, request, kinds=request.some_catalogue_kinds)
    parameters = _page_parameters(request) | {
        "match": _sqlite_match(words),
        "words": SNIPPET_WORDS,
        "snippet_chars": SNIPPET_MAX_CHARS,
    }
    with _sqlite_time_budget(session, limits) as deadline:
        rows = session.execute(statement, parameters).all()
    return _hits(rows, words, deadline, limits)


def _long_text_snippet(text: str, words: list[SearchWord]) -> str:
    """SNIPPET_WORDS words from just before the first match, matches (as written or as a
    prefix; not by stem) marked, in one pass over the text. FTS5's snippet() compares every
    match with every other one, which on a long text takes seconds and cannot be interrupted;
    PostgreSQL's ts_headline() parses the whole text with the dictionaries, 0.3 s for 0.5 MB."""
    before: deque[re.Match[str]] = deque(maxlen=2)
    tokens = _WORD.finditer(text)
    for token in tokens:
        if _matches(token.group(), words):
            window = [*before, token, *islice(tokens, SNIPPET_WORDS - len(before) - 1)]
            break
        before.append(token)
    else:
        window = list(islice(_WORD.finditer(text), SNIPPET_WORDS))
    if not window:
        return ""
    parts, position = [], window[0].start()
    for token in window:
        word = token.group()
        marked = f"{HIGHLIGHT_START}{word}{HIGHLIGHT_END}" if _matches(word, words) else word
        parts += [text[position : token.start()], marked]
        position = token.end()
    before_text = "…" if window[0].start() > 0 else ""
    after_text = "…" if text[position:].strip() else ""
    return before_text + "".join(parts) + after_text


def _matches(token: str, words: list[SearchWord]) -> bool:
    token = token.lower()
    return any(
        token.startswith(word.text) if word.is_prefix else token == word.text for word in words
    )


@contextmanager
def _sqlite_time_budget(session: Session, limits: SearchLimits) -> Iterator[float]:
    """Interrupt the statement (SQLite's progress handler) once the budget is spent; yields
    the deadline for the work done outside SQLite."""
    connection = session.connection().connection.driver_connection
    deadline = time.monotonic() + limits.timeout_ms / 1000
    connection.set_progress_handler(lambda: time.monotonic() > deadline, _SQLITE_PROGRESS_STEPS)
    try:
        yield deadline
    except sa.exc.OperationalError as error:
        if "interrupted" not in str(error.orig):
            raise
        session.rollback()
        raise SearchTimeoutError(limits) from None
    finally:
        connection.set_progress_handler(None, 0)


# --- PostgreSQL ---------------------------------------------------------------------------

# catalogue kind -> (table, key); migration 0005_search_vectors gives each table (and
# status_update) a `search_vector` (Dutch stems and the words as written) with a GIN index.
_POSTGRESQL_CATALOGUE = {
    "goal": ("goal", "code"),
    "indicator": ("indicator", "code"),
    "metric": ("metric", "code"),
}
# The newest matching statuses are first looked for among this many times `ranked_statuses` of
# the newest statuses, walking the primary key backwards (cheap when the words are common);
# when fewer than a `_WALK_RATIO`th of the bound match there, the GIN index finds the older ones
# (cheap when the words are rare), else the walk goes on (see _postgresql_statuses).
_NEWEST_WINDOW_FACTOR = 4
_WALK_RATIO = 4
# The text the snippet is cut from, from the joins of _places().
_POSTGRESQL_TEXT = (
    "coalesce(goal.text, status_update.text, indicator.name, "
    "metric.name || coalesce(' ' || metric.breakdown, ''))"
)


def _postgresql_query(words: list[SearchWord]) -> tuple[str, dict[str, str]]:
    """A tsquery in which each word matches by its Dutch stem, and as written ('simple'), as a
    prefix when the word is long enough; every word must match."""
    terms, parameters = [], {}
    for number, word in enumerate(words):
        # A quoted lexeme: nothing in it is tsquery syntax (words hold only letters and digits).
        parameters[f"stem{number}"] = f"'{word.text}'"
        parameters[f"word{number}"] = f"'{word.text}'" + (":*" if word.is_prefix else "")
        terms.append(
            f"(to_tsquery('dutch'::regconfig, :stem{number}) "
            f"|| to_tsquery('simple'::regconfig, :word{number}))"
        )
    return " && ".join(terms), parameters


def _postgresql_order(hits: str) -> str:
    """Best first; equal scores by kind, then codes and status ids in their natural order (for
    codes of one letter and a number), so pages never overlap or skip."""
    kind_order = (
        f"CASE {hits}.kind WHEN 'goal' THEN 0 WHEN 'status' THEN 1 "
        f"WHEN 'indicator' THEN 2 ELSE 3 END"
    )
    return f"{hits}.rank DESC, {kind_order}, length({hits}.ref), {hits}.ref"


def _postgresql_statuses(request: _PageRequest) -> str:
    """CTEs up to `statuses`: the `ranked_statuses` newest matching statuses (id and vector).
    Each way to find them is bounded by its construction, not left to the planner's estimates:

    - `newest` walks the primary key backwards through the newest statuses (`:window` of them
      at most) and stops at `ranked_statuses` matches: enough when the words are common;
    - if it found at least a `1 / :walk_ratio` share of the bound there, the words are common
      enough for `walked` to go on walking below the window until the bound is reached;
    - otherwise they are rare, and `indexed` takes the older matches from the GIN index
      (`id + 0` and `enable_seqscan` off leave the planner no other way) and sorts just those.

    The words are a scalar subquery and the perspective a correlated one, not joins: a join
    would lose the walk's order and read everything it could reach."""
    condition = ""
    if request.perspective_codes is not None:
        condition = (
            "AND (SELECT scope.perspective_code FROM goal AS scope "
            "WHERE scope.code = s.goal_code) IN :perspectives"
        )
    matches = f"s.search_vector @@ (SELECT query FROM query) {condition}"
    columns = "id, goal_code, search_vector"
    floor = (
        "(SELECT min(w.id) FROM (SELECT id FROM status_update ORDER BY id DESC LIMIT :window) AS w)"
    )
    found = "(SELECT count(*) FROM newest)"
    return (
        "newest AS MATERIALIZED (SELECT s.id, s.search_vector FROM "
        f"(SELECT {columns} FROM status_update ORDER BY id DESC LIMIT :window) AS s "
        f"WHERE {matches} ORDER BY s.id DESC LIMIT :ranked_statuses), "
        "walked AS (SELECT s.id, s.search_vector FROM "
        f"(SELECT {columns} FROM status_update WHERE id < {floor} ORDER BY id DESC OFFSET 0) "
        f"AS s WHERE {found} < :ranked_statuses "
        f"AND {found} * :walk_ratio >= :ranked_statuses AND {matches} "
        f"LIMIT :ranked_statuses - {found}), "
        "indexed AS (SELECT s.id, s.search_vector FROM status_update AS s "
        f"WHERE {found} * :walk_ratio < :ranked_statuses AND s.id + 0 < {floor} AND {matches} "
        "ORDER BY s.id + 0 DESC LIMIT :ranked_statuses), "
        "statuses AS (SELECT * FROM newest UNION ALL SELECT * FROM walked "
        "UNION ALL SELECT * FROM indexed ORDER BY id DESC LIMIT :ranked_statuses)"
    )


def _postgresql_hits(request: _PageRequest) -> str:
    """Every matching catalogue text and the newest matching statuses, each with its rank."""
    hits = [
        f"SELECT '{kind}' AS kind, {key} AS ref, NULL::integer AS status_id, "
        f"ts_rank(search_vector, query) AS rank FROM {table}, query WHERE search_vector @@ query"
        for kind, (table, key) in _POSTGRESQL_CATALOGUE.items()
        if kind in request.kinds
    ]
    if "status" in request.kinds:
        hits.append(
            "SELECT 'status' AS kind, statuses.id::text AS ref, statuses.id AS status_id, "
            "ts_rank(statuses.search_vector, query) AS rank FROM statuses, query"
        )
    return " UNION ALL ".join(hits)


def _postgresql_page_sql(request: _PageRequest) -> str:
    """The page of the ranked hits (kind, ref, status_id, rank), filtered by perspective."""
    ctes = f"{_postgresql_statuses(request)}, " if "status" in request.kinds else ""
    joins, condition = "", ""
    if request.perspective_codes is not None:
        joins, condition = _places("hits"), f"WHERE {_PERSPECTIVE} IN :perspectives"
    return (
        f"{ctes}hits AS ({_postgresql_hits(request)}), "
        f"page AS (SELECT hits.* FROM hits {joins} {condition} "
        f"ORDER BY {_postgresql_order('hits')} LIMIT :limit OFFSET :offset)"
    )


def _postgresql_page(
    session: Session, words: list[SearchWord], request: _PageRequest, limits: SearchLimits
) -> list[SearchHit]:
    query, parameters = _postgresql_query(words)
    statement = sa.text(
        f"WITH query AS (SELECT {query} AS query), {_postgresql_page_sql(request)} "
        "SELECT page.kind, page.ref, page.rank AS score, "
        f"CASE WHEN length({_POSTGRESQL_TEXT}) <= :snippet_chars "
        f"THEN ts_headline('dutch'::regconfig, {_POSTGRESQL_TEXT}, query, :options) "
        "END AS snippet, "
        f"CASE WHEN length({_POSTGRESQL_TEXT}) > :snippet_chars "
        f"THEN {_POSTGRESQL_TEXT} END AS long_text, "
        f"status_update.goal_code, {_PERSPECTIVE} AS perspective_code "
        f"FROM page CROSS JOIN query {_places('page')} "
        f"ORDER BY {_postgresql_order('page')}"
    )
    statement = _expanding(statement, request, kinds=False)
    options = (
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, "
        f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
    )
    parameters |= _page_parameters(request) | {
        "options": options,
        "snippet_chars": SNIPPET_MAX_CHARS,
        "window": _NEWEST_WINDOW_FACTOR * request.ranked_statuses,
        "walk_ratio": _WALK_RATIO,
    }
    deadline = time.monotonic() + limits.timeout_ms / 1000
    with _postgresql_time_budget(session, limits):
        rows = session.execute(statement, parameters).all()
    return _hits(rows, words, deadline, limits)


@contextmanager
def _postgresql_time_budget(session: Session, limits: SearchLimits) -> Iterator[None]:
    """`statement_timeout` (and `enable_seqscan` off, see _postgresql_statuses) for the search
    statement only: set for this transaction, then set back to the session's values."""
    session.execute(
        sa.text(
            "SELECT set_config('statement_timeout', :budget, true), "
            "set_config('enable_seqscan', 'off', true)"
        ),
        {"budget": f"{limits.timeout_ms}ms"},
    )
    try:
        yield
    except sa.exc.OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != "57014":  # query_canceled
            raise
        session.rollback()
        raise SearchTimeoutError(limits) from None
    session.execute(sa.text("SET LOCAL statement_timeout TO DEFAULT"))
    session.execute(sa.text("SET LOCAL enable_seqscan TO DEFAULT"))
