from tests.conftest import collect


def _metrics(seed_data):
    return [
        (indicator, metric) for indicator in seed_data.indicators for metric in indicator.metrics
    ]


def test_lists_metrics_in_report_order(client, seed_data):
    items = collect(client, "/v1/metrics?pageSize=5")
    assert [item["code"] for item in items] == [metric.code for _, metric in _metrics(seed_data)]


def test_filters_metrics_by_indicator_and_perspective(client, seed_data):
    indicator, _ = _metrics(seed_data)[0]
    items = collect(client, f"/v1/metrics?indicator={indicator.code}")
    assert [item["code"] for item in items] == [m.code for m in indicator.metrics]
    items = collect(client, f"/v1/metrics?perspective={indicator.perspective_code}")
    assert {item["indicatorCode"] for item in items} == {
        i.code
        for i in seed_data.indicators
        if i.perspective_code == indicator.perspective_code and i.metrics
    }


def test_metric_filters_reject_unknown_codes(client):
    assert client.get("/v1/metrics?indicator=M999").status_code == 400
    assert client.get("/v1/metrics?perspective=Q").status_code == 400


def test_metric_has_the_fields_clients_rely_on(client, seed_data):
    indicator, metric = _metrics(seed_data)[0]
    body = client.get(f"/v1/metrics/{metric.code}").json()
    assert body["code"] == metric.code
    assert body["indicatorCode"] == indicator.code
    assert body["name"] == metric.name
    assert body["breakdown"] == metric.breakdown
    assert body["unit"] == metric.unit
    assert body["source"] == metric.source
    assert body["notes"] == metric.notes
    assert isinstance(body["measurements"], list)


def test_metric_series_is_ordered_by_period(client, seed_data):
    for _, metric in _metrics(seed_data):
        body = client.get(f"/v1/metrics/{metric.code}").json()
        periods = [(m["periodStart"], m["periodEnd"]) for m in body["measurements"]]
        assert periods == sorted(periods)
        series = collect(client, f"/v1/metrics/{metric.code}/measurements?pageSize=2")
        assert [m["period"] for m in series] == [m["period"] for m in body["measurements"]]
        expected = [m for m in seed_data.measurements if m.metric_code == metric.code]
        assert len(series) == len(expected)


def test_metric_series_filters_by_year(client, seed_data):
    measurement = next(m for m in seed_data.measurements if m.period_start < m.period_end)
    for year in range(measurement.period_start, measurement.period_end + 1):
        series = collect(client, f"/v1/metrics/{measurement.metric_code}/measurements?year={year}")
        assert measurement.period in [m["period"] for m in series]
        detail = client.get(f"/v1/metrics/{measurement.metric_code}?year={year}").json()
        assert measurement.period in [m["period"] for m in detail["measurements"]]


def test_unknown_metric_is_not_found(client):
    assert client.get("/v1/metrics/M999.1").status_code == 404
    assert client.get("/v1/metrics/M999.1/measurements").status_code == 404


def test_metric_series_rejects_bad_queries(client, seed_data):
    _, metric = _metrics(seed_data)[0]
    for query in ("year=abc", "status=bogus", "pageSize=0", "indicator=M1"):
        response = client.get(f"/v1/metrics/{metric.code}/measurements?{query}")
        assert response.status_code == 400, query
