from datetime import date

import pytest
from sqlmodel import Session

from app.models import StatusUpdate
from tests.conftest import collect


def _latest(goal):
    return max(goal.statuses, key=lambda status: status.as_of) if goal.statuses else None


def test_lists_every_goal_in_report_order(client, seed_data):
    items = collect(client, "/v1/goals?pageSize=500")
    expected = sorted(seed_data.goals, key=lambda goal: goal.order)
    assert [item["code"] for item in items] == [goal.code for goal in expected]
    assert [item["order"] for item in items] == sorted(item["order"] for item in items)


def test_goal_has_the_fields_clients_rely_on(client, seed_data):
    goal = seed_data.goals[0]
    body = client.get(f"/v1/goals/{goal.code}").json()
    assert set(body) >= {
        "code",
        "perspectiveCode",
        "text",
        "order",
        "latestStatus",
        "crossReferences",
        "links",
        "_links",
    }
    assert body["code"] == goal.code
    assert body["perspectiveCode"] == goal.perspective_code
    assert body["text"] == goal.text
    assert body["order"] == goal.order
    assert body["_links"]["self"]["href"].endswith(f"/v1/goals/{goal.code}")
    assert body["_links"]["statuses"]["href"].endswith(f"/v1/goals/{goal.code}/statuses")


def test_goal_shows_its_latest_status(client, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.statuses)
    latest = _latest(goal)
    status = client.get(f"/v1/goals/{goal.code}").json()["latestStatus"]
    assert status["goalCode"] == goal.code
    assert status["asOf"] == latest.as_of.isoformat()
    assert status["asOfLabel"] == latest.as_of_label
    assert status["text"] == latest.text
    assert status["progress"] == latest.progress
    assert status["progressEvidence"] == latest.progress_evidence
    assert status["source"] == latest.source
    assert status["sharedWith"] == latest.shared_with
    assert isinstance(status["id"], int)


def test_cross_references_are_links_to_other_goals(client, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.cross_references)
    references = client.get(f"/v1/goals/{goal.code}").json()["crossReferences"]
    assert [reference["code"] for reference in references] == goal.cross_references
    for reference in references:
        assert reference["href"].endswith(f"/v1/goals/{reference['code']}")
        assert client.get(reference["href"]).status_code == 200


def test_hyperlinks_are_listed_as_printed(client, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.links)
    links = client.get(f"/v1/goals/{goal.code}").json()["links"]
    assert [link["href"] for link in links] == goal.links


@pytest.mark.parametrize("key", ["code", "slug"])
def test_filters_by_perspective_code_or_slug(client, seed_data, key):
    perspective = next(
        p
        for p in seed_data.perspectives
        if any(g.perspective_code == p.code for g in seed_data.goals)
    )
    items = collect(client, f"/v1/goals?perspective={getattr(perspective, key)}")
    expected = [g.code for g in sorted(seed_data.goals, key=lambda g: g.order)]
    expected = [code for code in expected if code.startswith(perspective.code)]
    assert [item["code"] for item in items] == expected
    assert {item["perspectiveCode"] for item in items} == {perspective.code}


def test_a_perspective_filter_of_another_form_is_a_bad_request(client):
    response = client.get("/v1/goals?perspective=Open_Stad")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["name"] == "perspective"


def test_a_well_formed_code_that_names_nothing_matches_nothing(client):
    # The schema allows every code of the documented form; such a filter is a valid question.
    response = client.get("/v1/goals?perspective=no-such-perspective")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_filters_by_year_of_a_status_update(client, seed_data):
    years = {status.as_of.year for goal in seed_data.goals for status in goal.statuses}
    for year in sorted(years):
        items = collect(client, f"/v1/goals?year={year}")
        expected = {
            goal.code
            for goal in seed_data.goals
            if any(s.as_of.year == year for s in goal.statuses)
        }
        assert {item["code"] for item in items} == expected
    assert collect(client, f"/v1/goals?year={min(years) - 1}") == []


@pytest.mark.parametrize(
    "progress", ["achieved", "inProgress", "delayed", "discontinued", "seeOther"]
)
def test_filters_by_progress_of_the_latest_status(client, seed_data, progress):
    items = collect(client, f"/v1/goals?progress={progress}")
    expected = {
        goal.code
        for goal in seed_data.goals
        if goal.statuses and _latest(goal).progress == progress
    }
    assert {item["code"] for item in items} == expected
    assert all(item["latestStatus"]["progress"] == progress for item in items)


def test_filters_combine(client, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.statuses)
    latest = _latest(goal)
    url = (
        f"/v1/goals?perspective={goal.perspective_code}&year={latest.as_of.year}"
        f"&progress={latest.progress}"
    )
    assert goal.code in {item["code"] for item in collect(client, url)}


@pytest.mark.parametrize(
    "query", ["progress=done", "year=abc", "year=", "pageSize=0", "pageSize=100000", "sort=code"]
)
def test_invalid_query_values_are_bad_requests(client, query):
    response = client.get(f"/v1/goals?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalidParams"]


def test_unknown_goal_is_not_found(client):
    response = client.get("/v1/goals/Z99")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == "/v1/goals/Z99"


def test_pages_cover_every_goal_exactly_once(client, seed_data):
    paged = collect(client, "/v1/goals?pageSize=7")
    assert [item["code"] for item in paged] == [
        item["code"] for item in collect(client, "/v1/goals?pageSize=500")
    ]
    first = client.get("/v1/goals?pageSize=7").json()
    assert len(first["items"]) == min(7, len(seed_data.goals))
    assert "cursor=" in first["_links"]["next"]["href"]
    assert "pageSize=7" in first["_links"]["next"]["href"]


def test_a_collection_on_one_page_has_no_next_link(client):
    body = client.get("/v1/goals?pageSize=500").json()
    assert "next" not in body["_links"]
    assert body["_links"]["self"]["href"].endswith("/v1/goals?pageSize=500")


def test_default_page_size_is_100(client, seed_data):
    body = client.get("/v1/goals").json()
    assert len(body["items"]) == min(100, len(seed_data.goals))
    assert ("next" in body["_links"]) == (len(seed_data.goals) > 100)


def test_status_history(client, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.statuses)
    items = collect(client, f"/v1/goals/{goal.code}/statuses")
    assert [item["text"] for item in items] == [
        s.text for s in sorted(goal.statuses, key=lambda s: s.as_of)
    ]
    year = goal.statuses[0].as_of.year
    assert len(collect(client, f"/v1/goals/{goal.code}/statuses?year={year}")) >= 1
    assert collect(client, f"/v1/goals/{goal.code}/statuses?year={year - 5}") == []


def test_status_history_is_oldest_first_and_latest_status_is_the_newest(client, engine, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.statuses)
    with Session(engine) as session:
        # Added out of date order: the history sorts by asOf, not by insertion.
        later = StatusUpdate(
            goal_code=goal.code, as_of=date(2023, 3, 1), as_of_label="maart 2023", text="later"
        )
        earlier = StatusUpdate(
            goal_code=goal.code, as_of=date(2019, 5, 1), as_of_label="mei 2019", text="earlier"
        )
        session.add(later)
        session.add(earlier)
        session.commit()
        added = [later.id, earlier.id]
    try:
        items = collect(client, f"/v1/goals/{goal.code}/statuses?pageSize=1")
        dates = [item["asOf"] for item in items]
        assert dates == sorted(dates)
        assert items[0]["text"] == "earlier"
        assert items[-1]["text"] == "later"
        assert client.get(f"/v1/goals/{goal.code}").json()["latestStatus"]["text"] == "later"
        in_2019 = collect(client, f"/v1/goals?year=2019&perspective={goal.perspective_code}")
        assert goal.code in {item["code"] for item in in_2019}
    finally:
        with Session(engine) as session:
            for status_id in added:
                session.delete(session.get(StatusUpdate, status_id))
            session.commit()


def test_status_history_of_unknown_goal_is_not_found(client):
    assert client.get("/v1/goals/Z99/statuses").status_code == 404


def test_status_history_rejects_bad_year(client, seed_data):
    response = client.get(f"/v1/goals/{seed_data.goals[0].code}/statuses?year=abc")
    assert response.status_code == 400
