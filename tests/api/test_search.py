"""GET /v1/search (app/api/routes/search.py): full-text search with each database's own engine,
ranked, with snippets, links and filters; hostile input is data, never a 500."""

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import collect

WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


def _distinctive_word(texts: list[str]) -> str:
    """A long word of the first text that occurs in as few of the texts as possible."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in _words(text):
            counts[word] = counts.get(word, 0) + 1
    candidates = [word for word in _words(texts[0]) if len(word) >= 8 and word.isalpha()]
    return min(sorted(candidates), key=lambda word: counts[word])


@pytest.fixture(scope="module")
def common(seed_data) -> str:
    """A frequent long word of the goal and status texts (no stop word on any database)."""
    counts: dict[str, int] = {}
    for goal in seed_data.goals:
        for text in [goal.text, *(status.text for status in goal.statuses)]:
            for word in _words(text):
                if len(word) >= 7 and word.isalpha():
                    counts[word] = counts.get(word, 0) + 1
    return max(sorted(counts), key=lambda word: counts[word])


def test_finds_a_goal_by_a_word_of_its_text_with_snippet_and_links(client, seed_data):
    goals = seed_data.goals
    word = _distinctive_word([goal.text for goal in goals])
    expected = {goal.code for goal in goals if word in _words(goal.text)}

    results = collect(client, f"/v1/search?q={quote(word)}&type=goal")

    assert expected <= {item["code"] for item in results}
    for item in results:
        assert item["type"] == "goal"
        assert "«" in item["snippet"] and "»" in item["snippet"]
    hit = next(item for item in results if item["code"] in expected)
    goal = client.get(hit["_links"]["self"]["href"]).json()
    assert goal["code"] == hit["code"]
    assert hit["perspectiveCode"] == goal["perspectiveCode"]


def test_finds_statuses_and_links_them_to_their_goal(client, seed_data):
    with_status = [goal for goal in seed_data.goals if goal.statuses]
    texts = [goal.statuses[-1].text for goal in with_status]
    word = _distinctive_word(texts)
    expected_goals = {
        goal.code for goal in with_status for s in goal.statuses if word in _words(s.text)
    }

    results = collect(client, f"/v1/search?q={quote(word)}&type=status")

    assert expected_goals <= {
        client.get(item["_links"]["goal"]["href"]).json()["code"] for item in results
    }
    status = client.get(results[0]["_links"]["self"]["href"])
    assert status.status_code == 200
    assert word in _words(status.json()["text"])


def test_finds_indicators_and_metrics_by_name(client, seed_data):
    indicator = seed_data.indicators[0]
    metric = indicator.metrics[0]
    for kind, record in (("indicator", indicator), ("metric", metric)):
        results = collect(client, f"/v1/search?q={quote(record.name)}&type={kind}")
        assert record.code in {item["code"] for item in results}, kind
        assert all(item["type"] == kind for item in results)


def test_results_are_ranked_best_first(client, common):
    results = collect(client, f"/v1/search?q={common}&pageSize=100")
    scores = [item["score"] for item in results]
    assert len(scores) > 1
    assert scores == sorted(scores, reverse=True)


def test_perspective_filter_by_code_or_slug(client, common, seed_data):
    perspective = seed_data.perspectives[2]
    by_code = collect(client, f"/v1/search?q={common}&perspective={perspective.code}")
    by_slug = collect(client, f"/v1/search?q={common}&perspective={perspective.slug}")
    assert by_code and by_code == by_slug
    assert {item["perspectiveCode"] for item in by_code} == {perspective.code}
    everything = collect(client, f"/v1/search?q={common}")
    assert len(everything) > len(by_code)


def test_paging_covers_every_result_once(client, common):
    whole = client.get(f"/v1/search?q={common}&pageSize=500").json()["items"]
    paged = collect(client, f"/v1/search?q={common}&pageSize=7")
    assert len(whole) > 7
    assert [(i["type"], i["code"]) for i in paged] == [(i["type"], i["code"]) for i in whole]


def _searchable(seed_data) -> list[tuple[str, str, str]]:
    """(type, goal or own code, text) of every text the search covers, history included."""
    texts = []
    for goal in seed_data.goals:
        texts.append(("goal", goal.code, goal.text))
        texts.extend(("status", goal.code, status.text) for status in goal.statuses)
    for indicator in seed_data.indicators:
        texts.append(("indicator", indicator.code, indicator.name))
        for metric in indicator.metrics:
            texts.append(("metric", metric.code, f"{metric.name} {metric.breakdown or ''}"))
    return texts


def _found(client, query: str) -> list[tuple[str, str]]:
    """(type, goal or own code) of every result; a status counts as its goal's code."""
    found = []
    for item in collect(client, f"/v1/search?q={quote(query)}&pageSize=500"):
        code = item["code"]
        if item["type"] == "status":
            code = item["_links"]["goal"]["href"].rsplit("/", 1)[1]
        found.append((item["type"], code))
    return found


REPORT_WORDS = ["klimaat", "fiets", "laadpaal", "armoede", "woning"]


def _dutch_stems(engine, words: set[str]) -> dict[str, str]:
    """PostgreSQL's Dutch stem of each word (stop words have none)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT word, (ts_lexize('dutch_stem', word))[1] "
                "FROM unnest(CAST(:words AS text[])) AS word"
            ),
            {"words": sorted(words)},
        )
        return {word: stem for word, stem in rows if stem}


@pytest.mark.parametrize("word", REPORT_WORDS)
def test_a_word_finds_itself_and_the_compounds_it_starts(client, engine, seed_data, word):
    """Every text with a word that starts with `word` ("klimaat" in "klimaatneutrale", "fiets"
    in "fietsenstallingen", "woning" in "woningbouw"); on PostgreSQL also every text with a
    word whose Dutch stem is the stem of `word` ("laadpaal" and "laadpalen": "laadpal")."""
    texts = _searchable(seed_data)
    matches = lambda other: other.startswith(word)  # noqa: E731
    if engine.dialect.name == "postgresql":
        stems = _dutch_stems(engine, {other for *_, text in texts for other in _words(text)})
        stem = _dutch_stems(engine, {word})[word]
        matches = lambda other: other.startswith(word) or stems.get(other) == stem  # noqa: E731
    expected = [(kind, code) for kind, code, text in texts if any(map(matches, _words(text)))]
    assert expected

    assert sorted(_found(client, word)) == sorted(expected)


def test_klimaat_is_found_only_inside_compounds_and_highlighted(client, seed_data):
    texts = [text for *_, text in _searchable(seed_data)]
    assert not any("klimaat" in _words(text) for text in texts)
    results = collect(client, "/v1/search?q=klimaat")
    assert len(results) == sum(
        any(word.startswith("klimaat") for word in _words(text)) for text in texts
    )
    assert all(re.search(r"«klimaat\w*»", item["snippet"], re.I) for item in results)


def test_word_forms_per_database(client, engine, seed_data):
    """PostgreSQL's Dutch stemmer: "laadpalen" finds the texts that say "laadpaal" (both stem
    to "laadpal"), but the stem is no prefix: "raad" (stem "rad") does not find "radio".
    SQLite has no stemmer: "laadpalen" finds only words that start with it."""
    texts = _searchable(seed_data)
    # texts that say "laadpalen" and no word that starts with "laadpaal"
    plural = {
        (kind, code)
        for kind, code, text in texts
        if "laadpalen" in _words(text)
        and not any(word.startswith("laadpaal") for word in _words(text))
    }
    singular = set(_found(client, "laadpaal"))
    assert plural
    if engine.dialect.name == "postgresql":
        assert plural <= singular
    else:
        assert plural.isdisjoint(singular)
    # "radicalisering", in texts without any word that starts with "raad"
    radicalisering = {
        (kind, code)
        for kind, code, text in texts
        if "radicalisering" in _words(text)
        and not any(word.startswith("raad") for word in _words(text))
    }
    assert radicalisering
    assert radicalisering.isdisjoint(_found(client, "raad"))


def test_every_word_must_match_and_or_is_a_word(client, seed_data):
    """`or`, `and` and `not` are words like any other, on both databases."""
    assert _found(client, "maastricht")
    assert _found(client, "maastricht or xyzzyqq") == []
    assert _found(client, "maastricht OR xyzzyqq") == []
    assert _found(client, "maastricht xyzzyqq") == []
    both = _found(client, "raad maastricht")
    raad, maastricht = _found(client, "raad"), _found(client, "maastricht")
    assert both and set(both) <= set(raad) & set(maastricht)
    assert len(both) < min(len(raad), len(maastricht))


def test_stop_words_are_words_too(client, seed_data):
    """ "het" must match like any other word: the texts with "armoede" and "het", on both
    databases (PostgreSQL's Dutch configuration alone would drop "het")."""
    expected = sorted(
        (kind, code)
        for kind, code, text in _searchable(seed_data)
        if any(word.startswith("armoede") for word in _words(text))
        and any(word.startswith("het") for word in _words(text))
    )
    assert expected
    assert sorted(_found(client, "het armoede")) == expected


def test_words_shorter_than_the_prefix_length_match_only_themselves(client, seed_data):
    expected = sorted(
        (kind, code) for kind, code, text in _searchable(seed_data) if "de" in _words(text)
    )
    assert sorted(_found(client, "de")) == expected


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"laadpalen',
        "laadpalen)",
        "((laadpalen",
        "laadpalen OR",
        "NOT laadpalen",
        "laadpalen AND NOT de",
        "laad* NEAR(de, 3)",
        "body:laadpalen",
        "^laadpalen",
        "'; DROP TABLE goal; --",
        "a & b | !c <-> d:*",
        "\\",
        "%",
        "x" * 1500,
        "laadpalen " * 100,
        " ",
        "a\x00b",
        "\u202e\ufeff",
    ],
)
def test_hostile_input_is_data(client, query):
    response = client.get("/v1/search", params={"q": query})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["invalidParams"][0]["name"] == "q"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(min_size=1, max_size=60))
def test_any_text_gives_results_or_400(client, query):
    response = client.get("/v1/search", params={"q": query})
    assert response.status_code in (200, 400), (query, response.text)


def test_missing_q_and_bad_filters_are_400(client, common):
    assert client.get("/v1/search").status_code == 400
    assert client.get(f"/v1/search?q={common}&type=city").status_code == 400
    assert client.get(f"/v1/search?q={common}&perspective=Z").status_code == 400
    assert client.get(f"/v1/search?q={common}&cursor=abc").status_code == 400


def test_statuses_written_later_are_found(writable_client, auth, seed_data):
    goal = seed_data.goals[5]
    word = "zonnepanelenproefproject"
    assert client_results(writable_client, word) == []
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={"asOf": "2022-06-30", "text": f"Het {word} is gestart."},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    results = client_results(writable_client, word)
    assert [item["_links"]["self"]["href"] for item in results] == [response.headers["Location"]]


def client_results(client, word):
    response = client.get(f"/v1/search?q={word}")
    assert response.status_code == 200, response.text
    return response.json()["items"]
