"""GET /v1/summary and /v1/summary/history (app/api/routes/summary.py): goal counts by progress
that equal what /v1/goals with the same filters returns, now, at a date, and at every status
date."""

import csv
import io
from collections import Counter

import pytest

from tests.conftest import collect

STATES = ("achieved", "inProgress", "delayed", "discontinued", "seeOther", "none")


def _counts_from_goals(client, query: str = "") -> dict[str, int]:
    """What a front-end would count from the goals endpoint itself."""
    goals = collect(client, f"/v1/goals?pageSize=500{query}")
    counted = Counter((goal["latestStatus"] or {}).get("progress") or "none" for goal in goals)
    return {state: counted.get(state, 0) for state in STATES}


def _counts(summary: dict) -> tuple:
    """A summary without its links."""
    return (
        summary["asOf"],
        summary["goals"],
        summary["progress"],
        [(p["code"], p["goals"], p["progress"]) for p in summary["perspectives"]],
    )


def _assert_summary_matches_goals(client, summary: dict, query: str = "") -> None:
    expected = _counts_from_goals(client, query)
    assert summary["progress"] == expected
    assert summary["goals"] == sum(expected.values())
    for perspective in summary["perspectives"]:
        code = perspective["code"]
        assert perspective["progress"] == _counts_from_goals(
            client, f"{query}&perspective={code}"
        ), code
        assert perspective["goals"] == sum(perspective["progress"].values())
        # Its goals link lists exactly the goals counted.
        assert len(collect(client, perspective["_links"]["goals"]["href"])) == perspective["goals"]
    assert sum(p["goals"] for p in summary["perspectives"]) == summary["goals"]


def test_summary_counts_equal_the_goals_endpoint(client, seed_data):
    summary = client.get("/v1/summary").json()
    assert summary["goals"] == len(seed_data.goals)
    assert [p["code"] for p in summary["perspectives"]] == sorted(
        p.code for p in seed_data.perspectives
    )
    assert summary["asOf"] == "2022-02-01"
    _assert_summary_matches_goals(client, summary)
    assert summary["progress"]["none"] == 0
    assert summary["_links"]["history"]["href"].endswith("/v1/summary/history")


@pytest.mark.parametrize("as_of", ["2022-01-31", "2022-02-01", "2030-01-01"])
def test_summary_at_a_date_counts_as_goals_do_at_that_date(client, as_of):
    summary = client.get(f"/v1/summary?asOf={as_of}").json()
    assert summary["asOf"] == as_of
    _assert_summary_matches_goals(client, summary, f"&asOf={as_of}")


def test_before_the_first_report_every_goal_has_no_status(client, seed_data):
    summary = client.get("/v1/summary?asOf=2018-01-01").json()
    assert summary["progress"] == {**dict.fromkeys(STATES, 0), "none": len(seed_data.goals)}


@pytest.mark.parametrize("perspective", ["C", "open-stad"])
def test_summary_of_one_perspective(client, perspective):
    summary = client.get(f"/v1/summary?perspective={perspective}").json()
    assert len(summary["perspectives"]) == 1
    assert summary["progress"] == summary["perspectives"][0]["progress"]
    _assert_summary_matches_goals(client, summary, f"&perspective={perspective}")


def test_each_perspective_resource_carries_its_progress(client):
    summary = client.get("/v1/summary").json()
    for item in summary["perspectives"]:
        resource = client.get(item["_links"]["self"]["href"]).json()
        assert resource["progress"] == item["progress"]
    listed = collect(client, "/v1/perspectives")
    assert [p["progress"] for p in listed] == [p["progress"] for p in summary["perspectives"]]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/v1/summary?perspective=Q", 400),
        ("/v1/summary?asOf=yesterday", 400),
        ("/v1/summary?year=2022", 400),
        ("/v1/summary/history?asOf=2022-02-01", 400),
        ("/v1/summary/history?perspective=Open_Stad", 400),
    ],
)
def test_bad_summary_requests_are_problems(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_history_of_the_seed_is_the_report_date(client):
    history = client.get("/v1/summary/history").json()
    assert [item["asOf"] for item in history["items"]] == ["2022-02-01"]
    current = client.get("/v1/summary").json()
    assert _counts(history["items"][-1]) == _counts(current)
    # The current summary links to the current state; a history entry pins its day.
    assert current["_links"]["self"]["href"].endswith("/v1/summary")
    assert history["items"][-1]["_links"]["self"]["href"].endswith("/v1/summary?asOf=2022-02-01")


def test_summary_csv_is_one_row_with_the_history_columns(client):
    summary = client.get("/v1/summary").json()
    response = client.get("/v1/summary?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["asOf"] == summary["asOf"]
    assert int(row["goals"]) == summary["goals"]
    assert int(row["progress.inProgress"]) == summary["progress"]["inProgress"]
    assert row["_links.history.href"] == summary["_links"]["history"]["href"]
    history = client.get("/v1/summary/history", headers={"Accept": "text/csv"})
    pinned = client.get(f"/v1/summary?asOf={summary['asOf']}&format=csv")
    assert history.text.splitlines() == pinned.text.splitlines()
    assert history.text.splitlines()[0] == response.text.splitlines()[0]


def _post(client, auth, code, as_of, progress, **extra):
    body = {"asOf": as_of, "text": f"Stand {as_of}.", "progress": progress, **extra}
    if progress is None:
        del body["progress"]
    response = client.post(f"/v1/goals/{code}/statuses", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def test_history_grows_with_status_dates_and_follows_corrections(writable_client, auth):
    first = _post(writable_client, auth, "A1", "2022-06-01", "achieved")
    _post(writable_client, auth, "B2", "2022-06-01", "delayed")
    # A status without a progress reading counts under `none`, as the goals endpoint shows it.
    _post(writable_client, auth, "C3", "2022-09-01", None)
    history = writable_client.get("/v1/summary/history").json()["items"]
    assert [item["asOf"] for item in history] == ["2022-02-01", "2022-06-01", "2022-09-01"]
    for item in history:
        _assert_summary_matches_goals(writable_client, item, f"&asOf={item['asOf']}")
    assert _counts(history[-1]) == _counts(writable_client.get("/v1/summary").json())
    assert history[-1]["progress"]["none"] == 1
    # A correction replaces the corrected entry at every date.
    _post(writable_client, auth, "A1", "2022-06-01", "inProgress", supersedes=first["id"])
    corrected = writable_client.get("/v1/summary/history").json()["items"]
    assert [item["asOf"] for item in corrected] == ["2022-02-01", "2022-06-01", "2022-09-01"]
    for item in corrected:
        _assert_summary_matches_goals(writable_client, item, f"&asOf={item['asOf']}")
    by_perspective = writable_client.get("/v1/summary/history?perspective=A").json()["items"]
    assert [len(item["perspectives"]) for item in by_perspective] == [1, 1, 1]


def test_a_perspective_of_the_documented_form_that_names_none_counts_nothing(client):
    # As /v1/goals?perspective=nope: an empty answer, not an error.
    body = client.get("/v1/summary", params={"perspective": "nope"}).json()
    assert body["goals"] == 0 and body["perspectives"] == []
