"""An indicator or metric resource embeds one page of its series, the latest figures, however
long the history grows; the whole series is its `measurements` collection."""

from app.services import indicators
from tests.conftest import collect

PAGE = 5


def test_an_embedded_series_is_the_latest_page_of_a_long_history(scaled_client, monkeypatch):
    # The scaled database holds 18 figures per metric: a page of 5 shows the bound.
    monkeypatch.setattr(indicators, "EMBEDDED_MEASUREMENTS", PAGE)
    metric = scaled_client.get("/v1/metrics/M1.1").json()
    series = collect(scaled_client, metric["_links"]["measurements"]["href"] + "?pageSize=500")
    assert len(series) > PAGE
    latest = sorted(series, key=lambda item: (item["periodStart"], item["periodEnd"]))[-PAGE:]
    assert [item["period"] for item in metric["measurements"]] == [
        item["period"] for item in latest
    ]
    indicator = scaled_client.get("/v1/indicators/M1").json()
    assert all(len(item["measurements"]) == PAGE for item in indicator["metrics"])


def test_the_trend_starts_from_the_latest_figure_of_the_whole_series(scaled_client):
    # The trend reads only the two latest periods of each kind; its latest figure must still be
    # the series' latest numeric one, and a series without two numbers has none.
    from app.services.trends import metric_trend

    for metric in collect(scaled_client, "/v1/metrics?pageSize=500"):
        whole = collect(scaled_client, metric["_links"]["measurements"]["href"] + "?pageSize=500")
        assert (metric.get("trend") is None) == (_trend_of(whole, metric_trend) is None)
        if metric.get("trend"):
            assert metric["trend"]["latest"]["period"] == _trend_of(whole, metric_trend)


def _trend_of(series, metric_trend):
    numeric = [item for item in series if item["value"] is not None]
    if len(numeric) < 2:
        return None
    latest = max(numeric, key=lambda item: (item["periodStart"], item["periodEnd"]))
    return latest["period"]
