"""GET /v1/targets and the targets embedded in a goal (app/api/routes/targets.py): the
measurable levels and deadlines of goal and status texts, beside the metric that measures them."""

import csv
import io

import pytest
from sqlmodel import Session, select

from app.models import Measurement, Metric, Target
from tests.conftest import collect


@pytest.fixture(scope="module")
def targets(client) -> list[dict]:
    return collect(client, "/v1/targets?pageSize=500")


def test_every_seeded_target_is_served_in_goal_order(client, targets, seed_data):
    assert len(targets) == len(seed_data.targets)
    order = {goal.code: goal.order for goal in seed_data.goals}
    positions = [order[item["goalCode"]] for item in targets]
    assert positions == sorted(positions)
    served = sorted((t["goalCode"], t["quote"]) for t in targets)
    assert served == sorted((t.goal_code, t.quote) for t in seed_data.targets)


def test_a_target_quotes_its_goal_or_status(client, targets):
    for item in targets:
        goal = client.get(item["_links"]["goal"]["href"]).json()
        if item["source"] == "goal":
            assert item["quote"] in goal["text"]
            assert item["statusId"] is None and "status" not in item["_links"]
        else:
            status = client.get(item["_links"]["status"]["href"]).json()
            assert item["quote"] in status["text"]
        if item["unit"] is not None:
            assert client.get(item["_links"]["unit"]["href"]).json()["code"] == item["unit"]


def test_the_c1_and_c7_targets(client, uses_real_seed):
    if not uses_real_seed:
        pytest.skip("facts of the real report")
    (c1,) = collect(client, "/v1/targets?goal=C1")
    assert (c1["value"], c1["unit"], c1["deadline"], c1["deadlinePrecision"]) == (
        100,
        "percent",
        "2030-01-01",
        "year",
    )
    assert c1["source"] == "goal" and c1["metricCode"] is None
    assert c1["latestMeasurement"] is None and c1["progressToTarget"] is None
    (c7,) = collect(client, "/v1/targets?goal=C7")
    assert c7["source"] == "status"
    assert c7["quote"] == "met ambitie om door te groeien naar 90 laadpunten eind 2022"
    assert (c7["value"], c7["unit"], c7["deadline"]) == (90, "count", "2022-01-01")


def test_goal_detail_embeds_its_targets(client, targets, seed_data):
    for goal in seed_data.goals:
        body = client.get(f"/v1/goals/{goal.code}").json()
        assert body["targets"] == [item for item in targets if item["goalCode"] == goal.code]
    # The goal list stays lean: targets only on a single goal.
    assert "targets" not in collect(client, "/v1/goals?pageSize=1")[0]


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("perspective=C", lambda t: t["goalCode"].startswith("C")),
        ("goal=C14", lambda t: t["goalCode"] == "C14"),
        ("year=2022", lambda t: (t["deadline"] or "").startswith("2022")),
        ("hasMetric=false", lambda t: t["metricCode"] is None),
    ],
)
def test_filters_select_exactly_the_matching_targets(client, targets, query, check):
    selected = collect(client, f"/v1/targets?{query}&pageSize=500")
    assert selected == [item for item in targets if check(item)]


def test_pages_cover_every_target_once(client, targets):
    assert collect(client, "/v1/targets?pageSize=4") == targets


@pytest.mark.parametrize(
    "query", ["goal=Z99", "perspective=Z", "year=abc", "hasMetric=maybe", "deadline=2022"]
)
def test_invalid_filters_are_bad_requests(client, query):
    response = client.get(f"/v1/targets?{query}")
    assert response.status_code == 400, query
    assert response.headers["content-type"].startswith("application/problem+json")


def test_targets_as_csv(client, targets):
    response = client.get("/v1/targets?format=csv&pageSize=500")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["quote"] for row in rows] == [item["quote"] for item in targets]
    assert {"value", "unit", "deadline", "latestMeasurement.value", "progressToTarget"} <= set(
        rows[0]
    )


def _add_target(engine, goal_code: str, metric_code: str, value: float, unit: str) -> None:
    with Session(engine) as session:
        position = len(session.exec(select(Target).where(Target.goal_code == goal_code)).all())
        session.add(
            Target(
                goal_code=goal_code,
                position=position + 1,
                source="goal",
                quote="test target",
                value=value,
                unit=unit,
                metric_code=metric_code,
            )
        )
        session.commit()


def _latest_with_number(engine, metric_code: str) -> Measurement:
    with Session(engine) as session:
        rows = session.exec(
            select(Measurement).where(
                Measurement.metric_code == metric_code, Measurement.value.is_not(None)
            )
        ).all()
        return max(rows, key=lambda row: (row.period_end, row.period_start, row.id))


def test_a_target_with_a_metric_shows_its_latest_figure_and_progress(
    writable_client, writable_engine
):
    """No target of the report has a metric that measures it; this one is added for the test."""
    with Session(writable_engine) as session:
        metric = session.exec(select(Metric).where(Metric.unit == "percent")).first()
        other = session.exec(select(Metric).where(Metric.unit != "percent")).first()
        goal_code = "A1"
    _add_target(writable_engine, goal_code, metric.code, 50, "percent")
    _add_target(writable_engine, goal_code, other.code, 50, "percent")
    with_metric = collect(writable_client, "/v1/targets?hasMetric=true")
    assert [item["metricCode"] for item in with_metric] == [metric.code, other.code]
    same_unit, other_unit = with_metric
    latest = _latest_with_number(writable_engine, metric.code)
    assert same_unit["latestMeasurement"]["period"] == latest.period
    assert same_unit["latestMeasurement"]["value"] == latest.value
    assert same_unit["latestMeasurement"]["unit"] == "percent"
    assert same_unit["progressToTarget"] == pytest.approx(latest.value / 50)
    assert same_unit["_links"]["metric"]["href"].endswith(f"/v1/metrics/{metric.code}")
    # A figure in another unit is shown, but never divided by the target value.
    assert other_unit["latestMeasurement"]["unit"] == other.unit
    assert other_unit["progressToTarget"] is None
    detail = writable_client.get(f"/v1/goals/{goal_code}").json()
    assert detail["targets"][-2:] == with_metric
