import pytest

from tests.conftest import collect

FIELDS = {
    "metricCode",
    "indicatorCode",
    "period",
    "periodType",
    "periodStart",
    "periodEnd",
    "value",
    "valueText",
    "status",
    "source",
    "footnote",
    "unit",
}


def _metric_index(seed_data):
    return {
        metric.code: (indicator, metric, (i_pos, m_pos))
        for i_pos, indicator in enumerate(seed_data.indicators)
        for m_pos, metric in enumerate(indicator.metrics)
    }


def _expected(seed_data, keep):
    index = _metric_index(seed_data)
    rows = [m for m in seed_data.measurements if keep(m, *index[m.metric_code][:2])]
    order = {id(m): n for n, m in enumerate(seed_data.measurements)}
    return sorted(
        rows,
        key=lambda m: (index[m.metric_code][2], m.period_start, m.period_end, order[id(m)]),
    )


def _keys(items):
    return [(item["metricCode"], item["period"], item["valueText"]) for item in items]


def _seed_keys(rows):
    return [(m.metric_code, m.period, m.value_text) for m in rows]


def test_flat_table_has_every_measurement_in_report_order(client, seed_data):
    items = collect(client, "/v1/measurements?pageSize=500")
    assert _keys(items) == _seed_keys(_expected(seed_data, lambda m, i, mt: True))


def test_measurement_carries_the_fields_scripts_rely_on(client, seed_data):
    index = _metric_index(seed_data)
    items = collect(client, "/v1/measurements?pageSize=500")
    for item, row in zip(items, _expected(seed_data, lambda m, i, mt: True), strict=True):
        assert set(item) >= FIELDS
        indicator, metric, _ = index[row.metric_code]
        assert item["indicatorCode"] == indicator.code
        assert item["unit"] == metric.unit
        assert item["periodType"] == row.period_type
        assert item["periodStart"] == row.period_start
        assert item["periodEnd"] == row.period_end
        assert item["value"] == row.value
        assert item["status"] == row.status
        assert item["footnote"] == row.footnote
        # The seed records a source only where it differs from the metric's.
        assert item["source"] == (row.source or metric.source)


def test_missing_values_are_explicit_nulls(client, seed_data):
    items = collect(client, "/v1/measurements?pageSize=500")
    missing = [item for item in items if item["value"] is None]
    assert len(missing) == sum(1 for m in seed_data.measurements if m.value is None)
    for item in missing:
        assert "value" in item
        assert item["valueText"]


def test_whole_numbers_are_json_integers(client):
    items = collect(client, "/v1/measurements?pageSize=500")
    for item in items:
        if item["value"] is not None and float(item["value"]).is_integer():
            assert isinstance(item["value"], int)


def test_a_school_year_matches_both_its_years(client, seed_data):
    school_year = next(m for m in seed_data.measurements if m.period_type == "schoolYear")
    for year in (school_year.period_start, school_year.period_end):
        items = collect(client, f"/v1/measurements?metric={school_year.metric_code}&year={year}")
        assert school_year.period in [item["period"] for item in items]
    outside = collect(
        client,
        f"/v1/measurements?metric={school_year.metric_code}&year={school_year.period_end + 1}",
    )
    assert school_year.period not in [item["period"] for item in outside]


def test_a_multi_year_window_matches_every_year_it_covers(client, seed_data):
    window = next(m for m in seed_data.measurements if m.period_type == "multiYear")
    for year in range(window.period_start, window.period_end + 1):
        items = collect(client, f"/v1/measurements?metric={window.metric_code}&year={year}")
        assert window.period in [item["period"] for item in items], year
    before = collect(
        client, f"/v1/measurements?metric={window.metric_code}&year={window.period_start - 1}"
    )
    assert window.period not in [item["period"] for item in before]


def test_year_filter_matches_periods_covering_the_year(client, seed_data):
    first = min(m.period_start for m in seed_data.measurements)
    last = max(m.period_end for m in seed_data.measurements)
    for year in range(first - 1, last + 2):
        items = collect(client, f"/v1/measurements?year={year}&pageSize=500")
        expected = _expected(
            seed_data, lambda m, i, mt, y=year: m.period_start <= y <= m.period_end
        )
        assert _keys(items) == _seed_keys(expected), year


@pytest.mark.parametrize(("year_from", "year_to"), [(2018, 2019), (2020, 2020), (2010, 2016)])
def test_year_range_matches_overlapping_periods(client, seed_data, year_from, year_to):
    items = collect(client, f"/v1/measurements?yearFrom={year_from}&yearTo={year_to}")
    expected = _expected(
        seed_data, lambda m, i, mt: m.period_start <= year_to and m.period_end >= year_from
    )
    assert _keys(items) == _seed_keys(expected)


def test_open_ended_year_ranges(client, seed_data):
    items = collect(client, "/v1/measurements?yearFrom=2020")
    assert _keys(items) == _seed_keys(_expected(seed_data, lambda m, i, mt: m.period_end >= 2020))
    items = collect(client, "/v1/measurements?yearTo=2017")
    assert _keys(items) == _seed_keys(_expected(seed_data, lambda m, i, mt: m.period_start <= 2017))


def test_year_outside_year_range_is_empty(client):
    assert collect(client, "/v1/measurements?year=2015&yearFrom=2018&yearTo=2020") == []


@pytest.mark.parametrize("key", ["code", "slug"])
def test_filters_by_perspective(client, seed_data, key):
    perspective = next(
        p
        for p in seed_data.perspectives
        if any(i.perspective_code == p.code for i in seed_data.indicators)
    )
    items = collect(client, f"/v1/measurements?perspective={getattr(perspective, key)}")
    expected = _expected(seed_data, lambda m, i, mt: i.perspective_code == perspective.code)
    assert _keys(items) == _seed_keys(expected)


def test_filters_by_indicator_and_metric(client, seed_data):
    indicator = next(i for i in seed_data.indicators if len(i.metrics) > 1)
    items = collect(client, f"/v1/measurements?indicator={indicator.code}")
    assert _keys(items) == _seed_keys(
        _expected(seed_data, lambda m, i, mt: i.code == indicator.code)
    )
    metric = indicator.metrics[1]
    items = collect(client, f"/v1/measurements?metric={metric.code}")
    assert _keys(items) == _seed_keys(_expected(seed_data, lambda m, i, mt: mt.code == metric.code))


@pytest.mark.parametrize(
    "status", ["final", "provisional", "notAvailable", "pending", "notReliable"]
)
def test_filters_by_status(client, seed_data, status):
    items = collect(client, f"/v1/measurements?status={status}")
    assert _keys(items) == _seed_keys(_expected(seed_data, lambda m, i, mt: m.status == status))


def test_filters_combine(client, seed_data):
    row = seed_data.measurements[0]
    items = collect(
        client,
        f"/v1/measurements?metric={row.metric_code}&year={row.period_start}&status={row.status}",
    )
    assert (row.metric_code, row.period, row.value_text) in _keys(items)


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=20.5",
        "yearFrom=x",
        "yearTo=",
        "status=unknown",
        "perspective=Q",
        "indicator=M999",
        "metric=M1.999",
        "pageSize=0",
        "pageSize=-1",
        "pageSize=100000",
        "pageSize=abc",
        "cursor=not-a-cursor",
        "limit=10",
        "Year=2020",
    ],
)
def test_invalid_queries_are_bad_requests(client, query):
    response = client.get(f"/v1/measurements?{query}")
    assert response.status_code == 400, response.text
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == 400
    assert body["invalidParams"]


def test_pages_follow_each_other_without_gaps_or_repeats(client, seed_data):
    paged = collect(client, "/v1/measurements?pageSize=7")
    assert _keys(paged) == _keys(collect(client, "/v1/measurements?pageSize=500"))
    assert len(paged) == len(seed_data.measurements)


def test_page_size_at_most_500(client):
    assert client.get("/v1/measurements?pageSize=500").status_code == 200
    assert client.get("/v1/measurements?pageSize=501").status_code == 400


def test_next_link_keeps_the_filters(client, seed_data):
    body = client.get("/v1/measurements?status=final&pageSize=3").json()
    next_href = body["_links"]["next"]["href"]
    assert "status=final" in next_href
    assert all(item["status"] == "final" for item in collect(client, next_href))


def test_a_cursor_from_another_collection_is_rejected(client):
    goals_next = client.get("/v1/goals?pageSize=1").json()["_links"]["next"]["href"]
    cursor = goals_next.split("cursor=")[1]
    response = client.get(f"/v1/measurements?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "cursor"


def test_a_range_that_ends_before_it_starts_is_empty(client):
    # The schema cannot relate two parameters: every such pair is valid, its answer empty.
    response = client.get("/v1/measurements?yearFrom=2020&yearTo=2018")
    assert response.status_code == 200
    assert response.json()["items"] == []
