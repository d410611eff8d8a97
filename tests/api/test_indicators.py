import pytest

from tests.conftest import collect


def _covers(measurement, year):
    return measurement.period_start <= year <= measurement.period_end


def test_lists_indicators_in_report_order(client, seed_data):
    items = collect(client, "/v1/indicators")
    assert [item["code"] for item in items] == [i.code for i in seed_data.indicators]


def test_indicator_has_the_fields_clients_rely_on(client, seed_data):
    indicator = next(i for i in seed_data.indicators if i.metrics)
    body = client.get(f"/v1/indicators/{indicator.code}").json()
    assert body["code"] == indicator.code
    assert body["perspectiveCode"] == indicator.perspective_code
    assert body["name"] == indicator.name
    assert body["note"] == indicator.note
    assert [metric["code"] for metric in body["metrics"]] == [m.code for m in indicator.metrics]
    metric = body["metrics"][0]
    assert set(metric) >= {
        "code",
        "indicatorCode",
        "name",
        "breakdown",
        "unit",
        "source",
        "notes",
        "measurements",
    }


def test_indicator_detail_carries_every_measurement_of_its_metrics(client, seed_data):
    for indicator in seed_data.indicators:
        body = client.get(f"/v1/indicators/{indicator.code}").json()
        for metric in body["metrics"]:
            expected = [m for m in seed_data.measurements if m.metric_code == metric["code"]]
            assert len(metric["measurements"]) == len(expected)
            starts = [(m["periodStart"], m["periodEnd"]) for m in metric["measurements"]]
            assert starts == sorted(starts)


def test_indicator_detail_with_year_keeps_only_that_years_measurements(client, seed_data):
    measurement = next(m for m in seed_data.measurements if m.period_start < m.period_end)
    indicator = next(
        i
        for i in seed_data.indicators
        if any(metric.code == measurement.metric_code for metric in i.metrics)
    )
    year = measurement.period_end
    body = client.get(f"/v1/indicators/{indicator.code}?year={year}").json()
    for metric in body["metrics"]:
        expected = [
            m
            for m in seed_data.measurements
            if m.metric_code == metric["code"] and _covers(m, year)
        ]
        assert [m["period"] for m in metric["measurements"]] == [m.period for m in expected]
        for item in metric["measurements"]:
            assert item["periodStart"] <= year <= item["periodEnd"]


def test_indicator_list_has_metric_summaries_without_measurements(client):
    item = next(i for i in collect(client, "/v1/indicators") if i["metrics"])
    assert "measurements" not in item["metrics"][0]


@pytest.mark.parametrize("key", ["code", "slug"])
def test_filters_by_perspective(client, seed_data, key):
    perspective = next(
        p
        for p in seed_data.perspectives
        if any(i.perspective_code == p.code for i in seed_data.indicators)
    )
    items = collect(client, f"/v1/indicators?perspective={getattr(perspective, key)}")
    assert [item["code"] for item in items] == [
        i.code for i in seed_data.indicators if i.perspective_code == perspective.code
    ]


def test_filters_by_year_of_a_measurement(client, seed_data):
    metric_to_indicator = {m.code: i.code for i in seed_data.indicators for m in i.metrics}
    years = range(
        min(m.period_start for m in seed_data.measurements) - 1,
        max(m.period_end for m in seed_data.measurements) + 2,
    )
    for year in years:
        expected = {
            metric_to_indicator[m.metric_code] for m in seed_data.measurements if _covers(m, year)
        }
        items = collect(client, f"/v1/indicators?year={year}")
        assert {item["code"] for item in items} == expected, year


@pytest.mark.parametrize("query", ["perspective=Nope", "year=abc", "pageSize=501", "metric=M1.1"])
def test_invalid_queries_are_bad_requests(client, query):
    response = client.get(f"/v1/indicators?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_indicator_is_not_found(client):
    assert client.get("/v1/indicators/M999").status_code == 404


def test_indicator_detail_rejects_bad_year(client, seed_data):
    assert client.get(f"/v1/indicators/{seed_data.indicators[0].code}?year=x").status_code == 400


def test_indicators_page(client, seed_data):
    paged = collect(client, "/v1/indicators?pageSize=4")
    assert [item["code"] for item in paged] == [i.code for i in seed_data.indicators]
