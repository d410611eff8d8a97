"""Polarity and trend on metrics (app/api/routes/metrics.py, indicators.py) and the
`assessment` filter: the "needs attention" list of a dashboard."""

import pytest

from tests.conftest import collect


def test_every_metric_carries_its_polarity_reading_and_trend(client, seed_data):
    metrics = collect(client, "/v1/metrics?pageSize=500")
    assert len(metrics) == sum(len(i.metrics) for i in seed_data.indicators)
    for metric in metrics:
        assert metric["polarity"] in ("higherIsBetter", "lowerIsBetter", None)
        assert metric["polarityReason"] and metric["polarityEvidence"], metric["code"]
        assert "trend" in metric
        assert metric["_links"]["chart"]["href"].endswith(f"/v1/metrics/{metric['code']}/chart.svg")


def test_trend_is_latest_against_previous_comparable_value(client):
    trend = client.get("/v1/metrics/M5.1").json()["trend"]
    # 2021 is "Nog niet beschikbaar": the latest figure is 2020's.
    assert trend == {
        "latest": {"period": "2020", "value": 319511, "status": "final"},
        "previous": {"period": "2019", "value": 364066, "status": "final"},
        "change": -44555,
        "changePercent": -12.2,
        "direction": "down",
        "assessment": "better",
        "provisional": False,
    }


def test_provisional_values_are_marked_in_the_trend(client):
    trend = client.get("/v1/metrics/M9.4").json()["trend"]
    assert trend["latest"] == {"period": "2020-2021", "value": 173, "status": "provisional"}
    assert trend["previous"]["period"] == "2019-2020"
    assert trend["provisional"] is True
    assert (trend["direction"], trend["assessment"]) == ("up", "worse")


def test_windows_are_compared_with_windows(client):
    trend = client.get("/v1/metrics/M7.1").json()["trend"]
    assert (trend["previous"]["period"], trend["latest"]["period"]) == ("2015–2019", "2016–2020")


def test_no_polarity_no_assessment_and_too_few_values_no_trend(client):
    metric = client.get("/v1/metrics/M8.1").json()
    assert metric["polarity"] is None
    assert metric["trend"]["direction"] == "down" and metric["trend"]["assessment"] is None
    assert client.get("/v1/metrics/M5.4").json()["trend"] is None  # no measurements
    assert client.get("/v1/metrics/M18.1").json()["trend"] is None  # one value


def test_a_change_from_zero_has_no_percentage(client):
    trend = client.get("/v1/metrics/M9.1").json()["trend"]
    assert trend["previous"]["value"] == 0 and trend["changePercent"] is None


def test_trend_ignores_the_year_filter(client):
    whole = client.get("/v1/metrics/M5.1").json()
    assert client.get("/v1/metrics/M5.1?year=2015").json()["trend"] == whole["trend"]


def test_indicators_embed_the_same_trends(client):
    indicator = client.get("/v1/indicators/M9").json()
    for metric in indicator["metrics"]:
        assert metric["trend"] == client.get(metric["_links"]["self"]["href"]).json()["trend"]
    assert indicator["_links"]["chart"]["href"].endswith("/v1/indicators/M9/chart.svg")
    listed = collect(client, "/v1/indicators?pageSize=500")
    embedded = {m["code"]: m["trend"] for i in listed for m in i["metrics"]}
    assert embedded["M9.4"] == client.get("/v1/metrics/M9.4").json()["trend"]


@pytest.mark.parametrize("assessment", ["worse", "better", "unchanged"])
def test_assessment_filter_lists_exactly_the_metrics_so_assessed(client, assessment):
    everything = collect(client, "/v1/metrics?pageSize=500")
    expected = [
        m["code"] for m in everything if m["trend"] and m["trend"]["assessment"] == assessment
    ]
    assert expected, "the seed has metrics of each assessment"
    assert [
        m["code"] for m in collect(client, f"/v1/metrics?assessment={assessment}&pageSize=3")
    ] == expected


def test_assessment_filter_combines_with_the_others(client):
    worse_in_d = collect(client, "/v1/metrics?assessment=worse&perspective=D")
    assert {m["code"] for m in worse_in_d} == {"M9.1", "M9.2", "M9.3", "M9.4"}


def test_unknown_assessment_is_a_400(client):
    response = client.get("/v1/metrics?assessment=terrible")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_trend_in_the_metrics_csv(client):
    text = client.get("/v1/metrics?format=csv&pageSize=500").text
    header = text.splitlines()[0].split(",")
    for column in ("polarity", "trend.latest.value", "trend.assessment", "_links.chart.href"):
        assert column in header
