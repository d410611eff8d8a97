"""GET /v1/metrics/{code}/chart.svg and /v1/indicators/{code}/chart.svg
(app/api/routes/charts.py, app/api/charts.py): well-formed, accessible, self-contained SVG
with one mark per numeric measurement."""

import xml.etree.ElementTree as ET

import pytest

from app.api.charts import format_number
from tests.conftest import collect

SVG = "{http://www.w3.org/2000/svg}"


def _svg(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return ET.fromstring(response.content)


def _marks(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if "mark" in (e.get("class") or "").split()]


def _expected_value(value) -> str:
    return str(value)


@pytest.mark.parametrize("size", ["", "?width=240&height=220"])
def test_every_metric_chart_has_one_mark_per_numeric_measurement(client, size):
    # Also at the smallest size: however many notes a chart has, its plot keeps every mark.
    for metric in collect(client, "/v1/metrics?pageSize=500"):
        code = metric["code"]
        root = _svg(client, f"/v1/metrics/{code}/chart.svg{size}")
        measurements = collect(client, f"/v1/metrics/{code}/measurements?pageSize=500")
        numeric = [m for m in measurements if m["value"] is not None]
        marks = _marks(root)
        assert [(m.get("data-period"), m.get("data-value")) for m in marks] == [
            (m["period"], _expected_value(m["value"])) for m in numeric
        ], code
        gaps = [e for e in root.iter() if e.get("class") == "gap"]
        assert {g.get("data-period") for g in gaps} <= {
            m["period"] for m in measurements if m["value"] is None
        }


def test_indicator_chart_has_a_panel_per_metric(client):
    indicator = client.get("/v1/indicators/M5").json()
    root = _svg(client, "/v1/indicators/M5/chart.svg?height=300")
    panels = [e for e in root.iter(f"{SVG}g") if e.get("class") == "metric"]
    assert [p.get("data-metric") for p in panels] == [m["code"] for m in indicator["metrics"]]
    numeric = [x for m in indicator["metrics"] for x in m["measurements"] if x["value"] is not None]
    assert len(_marks(root)) == len(numeric)
    assert root.get("height") == str(300 * len(panels))
    title = root.find(f"{SVG}title").text
    assert (
        title.startswith("Indicator M5 CO2-voetafdruk van de stad") and "ton CO2 per jaar" in title
    )


def test_title_and_description_name_the_metric_and_unit_in_dutch(client):
    root = _svg(client, "/v1/metrics/M5.1/chart.svg")
    title = root.find(f"{SVG}title").text
    desc = root.find(f"{SVG}desc").text
    assert title.startswith("M5.1 Aantal ton CO2-uitstoot")
    assert "ton CO2 per jaar" in title
    # Dutch number notation, the gap named, the source given.
    assert "2015: 437.608" in desc
    assert "2021: niet beschikbaar" in desc
    assert "Bron: Klimaatmonitor Rijk" in desc
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-M5-1-title chart-M5-1-desc"
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert "Jaar" in texts and "ton CO2 per jaar" in texts  # labelled axes
    assert "Bron: Klimaatmonitor Rijk" in texts  # the source line under the chart
    assert "2021: niet beschikbaar" in texts  # the note for the gap


def test_decimal_values_use_a_comma(client):
    root = _svg(client, "/v1/metrics/M3.1/chart.svg")
    texts = {e.text for e in root.iter(f"{SVG}text")}
    assert {"7,4", "6,9"} <= texts
    assert {m.get("data-value") for m in _marks(root)} == {"7.4", "6.9"}


def test_english_labels(client):
    root = _svg(client, "/v1/metrics/M5.1/chart.svg?lang=en")
    desc = root.find(f"{SVG}desc").text
    assert "2015: 437,608" in desc and "not available" in desc and "Source:" in desc
    assert root.get("lang") == "en"


def test_provisional_values_are_drawn_differently(client):
    root = _svg(client, "/v1/metrics/M9.4/chart.svg")
    marks = {m.get("data-period"): m for m in _marks(root)}
    provisional, final = marks["2020-2021"], marks["2019-2020"]
    assert provisional.get("data-status") == "provisional"
    assert "provisional" in provisional.get("class")
    assert provisional.get("stroke-dasharray") and not final.get("stroke-dasharray")
    assert provisional.get("fill") != final.get("fill")
    assert "voorlopig cijfer" in root.find(f"{SVG}desc").text


def test_school_years_are_bars_and_years_a_line(client):
    bars = _svg(client, "/v1/metrics/M9.4/chart.svg")
    assert {m.tag for m in _marks(bars)} == {f"{SVG}rect"}
    line = _svg(client, "/v1/metrics/M5.1/chart.svg")
    assert {m.tag for m in _marks(line)} == {f"{SVG}circle"}
    assert line.find(f"{SVG}g/{SVG}polyline") is not None


@pytest.mark.parametrize("url", ["/v1/metrics/M12.1/chart.svg", "/v1/indicators/M11/chart.svg"])
def test_charts_are_self_contained(client, url):
    body = client.get(url).content
    root = ET.fromstring(body)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "rect", "g", "line", "text", "circle", "polyline"}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "href" not in name and not name.startswith("on"), (name, value)
            assert "url(" not in value and "javascript:" not in value, (name, value)
    assert b"<script" not in body and b"http://" not in body.replace(
        b'xmlns="http://www.w3.org/2000/svg"', b""
    )


def test_size_options_are_bounded(client):
    root = _svg(client, "/v1/metrics/M1.1/chart.svg?width=320&height=240")
    assert (root.get("width"), root.get("height")) == ("320", "240")
    assert root.get("viewBox") == "0 0 320 240"
    for url in (
        "/v1/metrics/M1.1/chart.svg?width=10000",
        "/v1/metrics/M1.1/chart.svg?height=219",
        "/v1/metrics/M1.1/chart.svg?lang=fr",
        "/v1/metrics/M1.1/chart.svg?colour=red",
        "/v1/indicators/M1/chart.svg?year=2020",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.headers["content-type"] == "application/problem+json"


def test_unknown_codes_are_404(client):
    assert client.get("/v1/metrics/M99.1/chart.svg").status_code == 404
    assert client.get("/v1/indicators/M99/chart.svg").status_code == 404


def test_indicator_without_metrics_still_draws(client):
    root = _svg(client, "/v1/indicators/M6/chart.svg")
    assert "Geen meetreeksen" in root.find(f"{SVG}desc").text
    assert _marks(root) == []


def test_etag_304_and_cache_apply(client):
    url = "/v1/metrics/M5.1/chart.svg?width=500"
    first = client.get(url)
    assert first.headers["etag"] and first.headers["cache-control"].startswith("public")
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url).content == first.content


def test_charts_answer_only_as_svg(client):
    assert (
        client.get("/v1/metrics/M5.1/chart.svg", headers={"Accept": "image/*"}).status_code == 200
    )
    response = client.get("/v1/metrics/M5.1/chart.svg", headers={"Accept": "application/json"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "text"),
    [
        (437608, "nl", None, "437.608"),
        (7.5, "nl", None, "7,5"),
        (1234567.25, "nl", None, "1.234.567,25"),
        (437608, "en", None, "437,608"),
        (7.5, "en", None, "7.5"),
        (0.5, "nl", 1, "0,5"),
        (250000.0, "nl", 0, "250.000"),
    ],
)
def test_number_formatting(value, lang, decimals, text):
    assert format_number(value, lang, decimals) == text
