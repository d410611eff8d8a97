import pytest

from tests.conftest import collect


def test_lists_perspectives_in_code_order(client, seed_data):
    items = collect(client, "/v1/perspectives")
    assert [item["code"] for item in items] == sorted(p.code for p in seed_data.perspectives)


def test_perspective_has_the_fields_clients_rely_on(client, seed_data):
    perspective = seed_data.perspectives[0]
    body = client.get(f"/v1/perspectives/{perspective.code}").json()
    assert body["code"] == perspective.code
    assert body["number"] == perspective.number
    assert body["slug"] == perspective.slug
    assert body["name"] == perspective.name
    assert body["description"] == perspective.description


@pytest.mark.parametrize("key", ["code", "slug"])
def test_perspective_by_code_or_slug(client, seed_data, key):
    for perspective in seed_data.perspectives:
        response = client.get(f"/v1/perspectives/{getattr(perspective, key)}")
        assert response.status_code == 200
        assert response.json()["code"] == perspective.code


def test_perspective_summarises_its_goals_and_indicators(client, seed_data):
    for perspective in seed_data.perspectives:
        body = client.get(f"/v1/perspectives/{perspective.code}").json()
        goals = sorted(
            (g for g in seed_data.goals if g.perspective_code == perspective.code),
            key=lambda g: g.order,
        )
        assert [goal["code"] for goal in body["goals"]] == [goal.code for goal in goals]
        indicators = [
            i.code for i in seed_data.indicators if i.perspective_code == perspective.code
        ]
        assert [indicator["code"] for indicator in body["indicators"]] == indicators
        for goal in body["goals"]:
            assert goal["_links"]["self"]["href"].endswith(f"/v1/goals/{goal['code']}")
        assert body["_links"]["goals"]["href"].endswith(f"/v1/goals?perspective={perspective.code}")
        assert client.get(body["_links"]["indicators"]["href"]).status_code == 200


def test_unknown_perspective_is_not_found(client):
    response = client.get("/v1/perspectives/Z")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_perspectives_page(client, seed_data):
    first = client.get("/v1/perspectives?pageSize=2").json()
    assert len(first["items"]) == 2
    assert [item["code"] for item in collect(client, "/v1/perspectives?pageSize=2")] == sorted(
        p.code for p in seed_data.perspectives
    )
