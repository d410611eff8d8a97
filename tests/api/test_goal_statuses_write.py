"""POST /v1/goals/{code}/statuses (app/api/routes/goals.py): authenticated, validated,
append-only status history with corrections, and time travel with `asOf`."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.models import Milestone, StatusUpdate
from app.services import api_keys
from tests.conftest import collect


def _goal(seed_data, index):
    """A different seeded goal with a status for each test, so tests do not see each other."""
    return [goal for goal in seed_data.goals if goal.statuses][index]


def _count_statuses(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(StatusUpdate)).scalar()


def test_append_returns_201_with_location_and_the_stored_entry(writable_client, auth, seed_data):
    goal = _goal(seed_data, 0)
    body = {
        "asOf": "2022-06-30",
        "asOfLabel": "juni 2022",
        "text": "Nieuwe stand van zaken.",
        "progress": "achieved",
        "source": "Voortgangsrapportage juni 2022",
    }
    response = writable_client.post(f"/v1/goals/{goal.code}/statuses", json=body, headers=auth)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert response.headers["Location"] == stored["_links"]["self"]["href"]
    assert response.headers["Cache-Control"] == "no-store"
    assert stored["author"] == "test-tool"
    assert stored["recordedAt"]
    assert stored["asOf"] == "2022-06-30"
    assert stored["asOfLabel"] == "juni 2022"
    assert stored["text"] == body["text"]
    assert stored["progress"] == "achieved"
    assert stored["source"] == body["source"]
    assert stored["supersedes"] is None and stored["superseded"] is False
    # The Location answers with the same entry, and the entry is the goal's latest status.
    assert writable_client.get(response.headers["Location"]).json() == stored
    assert writable_client.get(f"/v1/goals/{goal.code}").json()["latestStatus"] == stored
    history = collect(writable_client, f"/v1/goals/{goal.code}/statuses")
    assert history[-1] == stored
    assert len(history) == len(goal.statuses) + 1


def test_label_defaults_to_the_date(writable_client, auth, seed_data):
    goal = _goal(seed_data, 1)
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={"asOf": "2022-05-01", "text": "Zonder label."},
        headers=auth,
    )
    assert response.status_code == 201
    assert response.json()["asOfLabel"] == "2022-05-01"
    assert response.json()["progress"] is None


def test_a_correction_supersedes_and_the_old_entry_stays_readable(writable_client, auth, seed_data):
    goal = _goal(seed_data, 2)
    url = f"/v1/goals/{goal.code}/statuses"
    original = writable_client.post(
        url, json={"asOf": "2022-07-01", "text": "Met een tikfout."}, headers=auth
    ).json()
    correction = writable_client.post(
        url,
        json={"asOf": "2022-07-01", "text": "Zonder tikfout.", "supersedes": original["id"]},
        headers=auth,
    )
    assert correction.status_code == 201, correction.text
    assert correction.json()["supersedes"] == original["id"]
    assert correction.json()["_links"]["supersedes"]["href"] == original["_links"]["self"]["href"]

    history = {item["id"]: item for item in collect(writable_client, url)}
    old = history[original["id"]]
    assert old["text"] == "Met een tikfout."
    assert old["superseded"] is True
    assert old["supersededBy"] == correction.json()["id"]
    assert history[correction.json()["id"]]["superseded"] is False
    assert (
        writable_client.get(f"/v1/goals/{goal.code}").json()["latestStatus"]["id"]
        == (correction.json()["id"])
    )
    # An entry is superseded once; a further correction corrects the correction.
    again = writable_client.post(
        url,
        json={"asOf": "2022-07-01", "text": "Nog eens.", "supersedes": original["id"]},
        headers=auth,
    )
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"


def test_supersedes_must_name_an_entry_of_the_same_goal(writable_client, auth, seed_data):
    goal, other = _goal(seed_data, 3), _goal(seed_data, 4)
    other_entry = collect(writable_client, f"/v1/goals/{other.code}/statuses")[0]
    for target in (other_entry["id"], 10**9):
        response = writable_client.post(
            f"/v1/goals/{goal.code}/statuses",
            json={"asOf": "2022-07-01", "text": "x", "supersedes": target},
            headers=auth,
        )
        assert response.status_code == 400
        assert [param["name"] for param in response.json()["invalidParams"]] == ["supersedes"]


def test_every_problem_is_listed_and_nothing_is_written(writable_client, writable_engine, auth):
    before = _count_statuses(writable_engine)
    far_future = (date.today() + timedelta(days=400)).isoformat()
    response = writable_client.post(
        "/v1/goals/C1/statuses",
        json={"asOf": far_future, "text": "   ", "progress": "almost", "colour": "red"},
        headers=auth,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    names = {param["name"] for param in response.json()["invalidParams"]}
    assert names == {"asOf", "text", "progress", "colour"}
    assert _count_statuses(writable_engine) == before


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"asOf": "30-06-2022", "text": "x"}',
        b'{"asOf": 20220630, "text": "x"}',
        b'{"text": "x"}',
        b'{"asOf": "2022-06-30", "text": "x", "supersedes": "1"}',
    ],
)
def test_malformed_bodies_are_bad_requests(writable_client, auth, body):
    response = writable_client.post(
        "/v1/goals/C1/statuses",
        content=body,
        headers=auth | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["invalidParams"]


def test_tomorrow_is_allowed_the_day_after_is_not(writable_client, auth, seed_data):
    goal = _goal(seed_data, 5)
    # The server's "today" is UTC; a day of slack either way keeps this independent of the clock.
    in_three_days = (date.today() + timedelta(days=3)).isoformat()
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses", json={"asOf": in_three_days, "text": "x"}, headers=auth
    )
    assert response.status_code == 400
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses", json={"asOf": yesterday, "text": "x"}, headers=auth
    )
    assert response.status_code == 201


def test_unknown_goal_is_404_before_anything_is_written(writable_client, writable_engine, auth):
    before = _count_statuses(writable_engine)
    response = writable_client.post(
        "/v1/goals/Z99/statuses", json={"asOf": "2022-06-30", "text": "x"}, headers=auth
    )
    assert response.status_code == 404
    assert _count_statuses(writable_engine) == before


def test_wrong_media_type_is_415(writable_client, auth):
    response = writable_client.post(
        "/v1/goals/C1/statuses",
        content=b"asOf=2022-06-30&text=x",
        headers=auth | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    response = writable_client.post("/v1/goals/C1/statuses", content=b"{}", headers=auth)
    assert response.status_code == 415


def test_body_over_the_limit_is_413_even_without_content_length(
    writable_client, writable_settings, auth
):
    limit = writable_settings.max_request_body_bytes
    padding = "x" * limit
    response = writable_client.post(
        "/v1/goals/C1/statuses", json={"asOf": "2022-06-30", "text": padding}, headers=auth
    )
    assert response.status_code == 413

    def chunks():
        # A generator body is sent chunked, without Content-Length.
        yield b'{"asOf": "2022-06-30", "text": "'
        for _ in range(limit // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    response = writable_client.post(
        "/v1/goals/C1/statuses",
        content=chunks(),
        headers=auth | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"


def test_writes_need_a_valid_key(writable_client, writable_engine, auth):
    before = _count_statuses(writable_engine)
    body = {"asOf": "2022-06-30", "text": "x"}
    for headers in (
        {},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": auth["Authorization"] + "x"},
    ):
        response = writable_client.post("/v1/goals/C1/statuses", json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.headers["Cache-Control"] == "no-store"
        secret = headers.get("Authorization", "").removeprefix("Bearer ")
        if secret:
            assert secret not in response.text
    assert _count_statuses(writable_engine) == before


def test_revoked_key_is_401(writable_client, writable_engine):
    with Session(writable_engine) as session:
        secret = api_keys.create_key(session, "short-lived").secret
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"asOf": "2022-06-30", "text": "x"}
    response = writable_client.post("/v1/goals/C1/statuses", json=body, headers=headers)
    assert response.status_code == 201
    with Session(writable_engine) as session:
        api_keys.revoke_key(session, "short-lived")
    response = writable_client.post("/v1/goals/C1/statuses", json=body, headers=headers)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert secret not in response.text


def test_reads_stay_public(writable_client):
    assert writable_client.get("/v1/goals/C1/statuses").status_code == 200


def test_unknown_status_id_is_404(writable_client, seed_data):
    goal, other = _goal(seed_data, 0), _goal(seed_data, 1)
    other_id = collect(writable_client, f"/v1/goals/{other.code}/statuses")[0]["id"]
    assert writable_client.get(f"/v1/goals/{goal.code}/statuses/{other_id}").status_code == 404
    assert writable_client.get(f"/v1/goals/{goal.code}/statuses/999999999").status_code == 404
    assert writable_client.get(f"/v1/goals/{goal.code}/statuses/abc").status_code == 400


# --- time travel --------------------------------------------------------------------------


def test_as_of_answers_as_the_service_stood_on_that_date(writable_client, auth, seed_data):
    goal = _goal(seed_data, 6)
    seeded = max(goal.statuses, key=lambda status: status.as_of)
    url = f"/v1/goals/{goal.code}/statuses"
    june = writable_client.post(
        url, json={"asOf": "2022-06-15", "text": "Juni.", "progress": "delayed"}, headers=auth
    ).json()
    october = writable_client.post(
        url, json={"asOf": "2022-10-01", "text": "Oktober.", "progress": "achieved"}, headers=auth
    ).json()

    def latest_on(day: str):
        body = writable_client.get(f"/v1/goals/{goal.code}?asOf={day}").json()
        return body["latestStatus"]

    assert latest_on(seeded.as_of.isoformat())["text"] == seeded.text
    assert latest_on("2022-06-14")["text"] == seeded.text
    assert latest_on("2022-06-15")["id"] == june["id"]
    assert latest_on("2022-09-30")["id"] == june["id"]
    assert latest_on("2022-10-01")["id"] == october["id"]
    assert latest_on((seeded.as_of - timedelta(days=1)).isoformat()) is None or (
        latest_on((seeded.as_of - timedelta(days=1)).isoformat())["asOf"] < seeded.as_of.isoformat()
    )
    # The collection answers the same, and progress filters on the status of that date.
    listed = collect(
        writable_client, f"/v1/goals?asOf=2022-06-30&perspective={goal.perspective_code}"
    )
    assert (
        next(item for item in listed if item["code"] == goal.code)["latestStatus"]["id"]
        == (june["id"])
    )
    delayed = collect(writable_client, "/v1/goals?asOf=2022-06-30&progress=delayed")
    assert goal.code in {item["code"] for item in delayed}
    achieved_then = collect(writable_client, "/v1/goals?asOf=2022-06-30&progress=achieved")
    assert goal.code not in {item["code"] for item in achieved_then}
    achieved_now = collect(writable_client, "/v1/goals?progress=achieved")
    assert goal.code in {item["code"] for item in achieved_now}


def test_as_of_every_goal_matches_its_history(writable_client):
    """For every goal, `asOf` picks the newest non-superseded entry dated up to that day."""
    day = "2022-06-30"
    for goal in collect(writable_client, f"/v1/goals?asOf={day}"):
        history = collect(writable_client, f"/v1/goals/{goal['code']}/statuses")
        candidates = [h for h in history if h["asOf"] <= day and not h["superseded"]]
        expected = max(candidates, key=lambda h: (h["asOf"], h["id"]), default=None)
        assert (goal["latestStatus"] or {}).get("id") == (expected or {}).get("id"), goal["code"]


def test_a_superseded_entry_is_never_the_latest_at_any_date(writable_client, auth, seed_data):
    goal = _goal(seed_data, 7)
    url = f"/v1/goals/{goal.code}/statuses"
    wrong = writable_client.post(url, json={"asOf": "2022-08-01", "text": "Fout."}, headers=auth)
    fixed = writable_client.post(
        url,
        json={"asOf": "2022-08-01", "text": "Goed.", "supersedes": wrong.json()["id"]},
        headers=auth,
    )
    assert fixed.status_code == 201
    for day in ("2022-08-01", "2023-01-01"):
        latest = writable_client.get(f"/v1/goals/{goal.code}?asOf={day}").json()["latestStatus"]
        assert latest["id"] == fixed.json()["id"]


@pytest.mark.parametrize("value", ["yesterday", "2022-13-01", "2022-06-31", ""])
def test_as_of_must_be_a_date(writable_client, value):
    assert writable_client.get(f"/v1/goals?asOf={value}").status_code == 400
    assert writable_client.get(f"/v1/goals/C1?asOf={value}").status_code == 400


def test_cors_for_writes_only_from_configured_origins(writable_client, writable_settings, auth):
    allowed = "https://tool.maastricht.example"
    writable_settings.write_cors_origins = [allowed]
    try:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        }
        good = writable_client.options(
            "/v1/goals/C1/statuses", headers=preflight | {"Origin": allowed}
        )
        assert good.status_code == 200
        assert good.headers["Access-Control-Allow-Origin"] == allowed
        assert "POST" in good.headers["Access-Control-Allow-Methods"]
        bad = writable_client.options(
            "/v1/goals/C1/statuses", headers=preflight | {"Origin": "https://evil.example"}
        )
        assert "Access-Control-Allow-Origin" not in bad.headers
        body = {"asOf": "2022-06-30", "text": "Vanuit de browser."}
        response = writable_client.post(
            "/v1/goals/C1/statuses", json=body, headers=auth | {"Origin": allowed}
        )
        assert response.status_code == 201
        assert response.headers["Access-Control-Allow-Origin"] == allowed
        response = writable_client.post(
            "/v1/goals/C1/statuses", json=body, headers=auth | {"Origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in response.headers
        # Reads stay open to every origin.
        read = writable_client.get("/v1/goals/C1", headers={"Origin": "https://evil.example"})
        assert read.headers["Access-Control-Allow-Origin"] == "*"
    finally:
        writable_settings.write_cors_origins = []


def test_a_date_that_is_not_yyyy_mm_dd_is_refused_in_a_body(writable_client, auth):
    response = writable_client.post(
        "/v1/goals/A1/statuses", json={"asOf": "0", "text": "Nog niet."}, headers=auth
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"].endswith("asOf")


# --- milestones written with a status ---------------------------------------------------


def _milestone_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(Milestone)).scalar()


def test_a_status_can_carry_its_milestones(writable_client, auth, seed_data):
    goal = _goal(seed_data, 20)
    text = (
        "Het plan is op 10 mei 2022 door de raad vastgesteld; besluit college voorzien juni 2022."
    )
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={
            "asOf": "2022-05-31",
            "text": text,
            "milestones": [
                {
                    "date": "2022-05-10",
                    "datePrecision": "day",
                    "kind": "adoption",
                    "body": "council",
                    "quote": "Het plan is op 10 mei 2022 door de raad vastgesteld",
                },
                {
                    "date": "2022-06-01",
                    "datePrecision": "month",
                    "kind": "planned",
                    "quote": "besluit college voorzien juni 2022",
                },
            ],
        },
        headers=auth,
    )
    assert response.status_code == 201, response.text
    status_id = response.json()["id"]
    written = [
        item
        for item in collect(writable_client, f"/v1/goals/{goal.code}/milestones")
        if item["statusId"] == status_id
    ]
    assert [(m["date"], m["datePrecision"], m["kind"], m["body"]) for m in written] == [
        ("2022-05-10", "day", "adoption", "council"),
        ("2022-06-01", "month", "planned", None),
    ]
    assert all(m["quote"] in text for m in written)
    in_timeline = collect(writable_client, "/v1/milestones?year=2022&kind=adoption&pageSize=500")
    assert any(m["statusId"] == status_id for m in in_timeline)


@pytest.mark.parametrize(
    ("milestone", "reason"),
    [
        ({"quote": "niet in de tekst"}, "verbatim"),
        ({"date": "2022-05-10", "datePrecision": "month"}, "first of the month"),
        ({"date": "10-05-2022"}, "date"),
        ({"kind": "rumour"}, "kind"),
        ({"body": "king"}, "body"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_milestones_reject_the_whole_status(
    writable_client, writable_engine, auth, seed_data, milestone, reason
):
    goal = _goal(seed_data, 21)
    statuses_before = _count_statuses(writable_engine)
    milestones_before = _milestone_count(writable_engine)
    valid = {
        "date": "2022-05-10",
        "datePrecision": "day",
        "kind": "decision",
        "quote": "besloten op 10 mei 2022",
    }
    response = writable_client.post(
        f"/v1/goals/{goal.code}/statuses",
        json={
            "asOf": "2022-05-31",
            "text": "De raad heeft besloten op 10 mei 2022.",
            "milestones": [valid | milestone],
        },
        headers=auth,
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert reason in json.dumps(response.json()["invalidParams"])
    assert _count_statuses(writable_engine) == statuses_before
    assert _milestone_count(writable_engine) == milestones_before
