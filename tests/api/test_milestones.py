"""GET /v1/milestones and GET /v1/goals/{code}/milestones (app/api/routes/milestones.py,
app/api/routes/goals.py): the dated steps of the status texts as one timeline."""

import csv
import io

import pytest

from tests.conftest import collect


@pytest.fixture(scope="module")
def timeline(client) -> list[dict]:
    return collect(client, "/v1/milestones?pageSize=500")


def test_every_seeded_milestone_is_served_once_ordered_by_date(timeline, seed_data):
    assert len(timeline) == len(seed_data.milestones)
    assert [item["date"] for item in timeline] == sorted(item["date"] for item in timeline)
    served = sorted((m["goalCode"], m["date"], m["quote"]) for m in timeline)
    seeded = sorted((m.goal_code, m.date.isoformat(), m.quote) for m in seed_data.milestones)
    assert served == seeded


def test_a_milestone_quotes_its_status_and_links_to_it(client, timeline):
    for item in timeline:
        status = client.get(item["_links"]["status"]["href"]).json()
        assert status["id"] == item["statusId"]
        assert status["goalCode"] == item["goalCode"]
        assert item["quote"] in status["text"]
        assert item["_links"]["goal"]["href"].endswith(f"/v1/goals/{item['goalCode']}")


def test_the_c4_council_decision(client, uses_real_seed):
    if not uses_real_seed:
        pytest.skip("a fact of the real report")
    (item,) = collect(client, "/v1/milestones?goal=C4")
    assert item["date"] == "2019-05-14"
    assert item["datePrecision"] == "day"
    assert (item["kind"], item["body"]) == ("decision", "council")
    assert item["quote"] == "Raadsbesluit d.d. 14-05-2019"


def test_month_and_year_precision_are_kept(client, uses_real_seed):
    if not uses_real_seed:
        pytest.skip("a fact of the real report")
    d1 = collect(client, "/v1/goals/D1/milestones")
    assert [(m["date"], m["datePrecision"]) for m in d1] == [
        ("2019-11-26", "day"),
        ("2021-09-28", "day"),
        ("2022-03-01", "month"),
    ]
    b10 = collect(client, "/v1/goals/B10/milestones")
    assert {(m["date"], m["datePrecision"]) for m in b10} == {("2022-01-01", "year")}
    assert any("najaar 2022" in m["quote"] for m in b10)


def test_goals_sharing_a_status_each_have_its_milestones(client, uses_real_seed):
    if not uses_real_seed:
        pytest.skip("a fact of the real report")
    g3 = collect(client, "/v1/goals/G3/milestones")
    g4 = collect(client, "/v1/goals/G4/milestones")
    assert [(m["date"], m["quote"]) for m in g3] == [(m["date"], m["quote"]) for m in g4]
    assert g3 and g3[0]["date"] == "2019-05-14"


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("kind=briefing", lambda m: m["kind"] == "briefing"),
        ("body=executive", lambda m: m["body"] == "executive"),
        ("year=2019", lambda m: m["date"].startswith("2019")),
        ("yearFrom=2022", lambda m: m["date"][:4] >= "2022"),
        ("yearTo=2019", lambda m: m["date"][:4] <= "2019"),
        ("yearFrom=2020&yearTo=2021", lambda m: "2020" <= m["date"][:4] <= "2021"),
        ("perspective=C", lambda m: m["goalCode"].startswith("C")),
        ("perspective=C&kind=decision&body=council", lambda m: m["goalCode"][0] == "C"),
    ],
)
def test_filters_select_exactly_the_matching_milestones(client, timeline, query, check):
    selected = collect(client, f"/v1/milestones?{query}&pageSize=500")
    parts = dict(part.split("=") for part in query.split("&"))
    expected = [
        item
        for item in timeline
        if check(item)
        and item["kind"] == parts.get("kind", item["kind"])
        and item["body"] == parts.get("body", item["body"])
    ]
    assert selected == expected
    assert selected, query


def test_goal_filter_and_the_goal_collection_agree(client, timeline, seed_data):
    for goal in seed_data.goals[:40]:
        expected = [item for item in timeline if item["goalCode"] == goal.code]
        assert collect(client, f"/v1/milestones?goal={goal.code}") == expected
        assert collect(client, f"/v1/goals/{goal.code}/milestones") == expected


def test_pages_cover_the_timeline_exactly_once(client, timeline):
    paged = collect(client, "/v1/milestones?pageSize=7")
    assert paged == timeline


def test_goal_detail_links_to_its_milestones(client, seed_data):
    goal = seed_data.goals[0]
    body = client.get(f"/v1/goals/{goal.code}").json()
    href = body["_links"]["milestones"]["href"]
    assert href.endswith(f"/v1/goals/{goal.code}/milestones")
    assert client.get(href).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "kind=rumour",
        "body=king",
        "goal=Z99",
        "perspective=Z",
        "year=20x1",
        "cursor=bogus",
        "when=2019",
    ],
)
def test_invalid_filters_are_bad_requests(client, query):
    response = client.get(f"/v1/milestones?{query}")
    assert response.status_code == 400, query
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_goal_has_no_milestones(client):
    assert client.get("/v1/goals/Z99/milestones").status_code == 404


def test_milestones_as_csv(client, timeline):
    response = client.get("/v1/milestones?format=csv&pageSize=500")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["goalCode"], row["date"], row["quote"]) for row in rows] == [
        (item["goalCode"], item["date"], item["quote"]) for item in timeline
    ]
    assert {"datePrecision", "kind", "body", "statusId", "_links.status.href"} <= set(rows[0])
