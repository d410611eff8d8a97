"""GET /v1/units and /v1/units/{code} (app/api/routes/units.py): the unit vocabulary, and the
links to it from metrics and measurements."""

import csv
import io

from tests.conftest import collect


def test_lists_the_vocabulary_in_seed_order(client, seed_data, settings):
    items = collect(client, "/v1/units")
    assert [item["code"] for item in items] == [unit.code for unit in seed_data.units]
    first = seed_data.units[0]
    assert items[0] == {
        "code": first.code,
        "labelNl": first.label_nl,
        "labelEn": first.label_en,
        "ucum": first.ucum,
        "description": first.description,
        "_links": {"self": {"href": f"{settings.base_url}/v1/units/{first.code}"}},
    }


def test_one_unit_and_its_ucum_code(client, uses_real_seed):
    body = client.get("/v1/units/tonnesCo2").json()
    assert body["code"] == "tonnesCo2"
    assert body["labelNl"] and body["labelEn"]
    if uses_real_seed:
        assert body["ucum"] == "t"
        assert client.get("/v1/units/score1to10").json()["ucum"] is None


def test_unknown_unit_is_not_found(client):
    response = client.get("/v1/units/furlongs")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_every_metric_and_measurement_links_to_its_unit(client):
    units = {item["_links"]["self"]["href"] for item in collect(client, "/v1/units")}
    metrics = collect(client, "/v1/metrics?pageSize=500")
    assert metrics
    for metric in metrics:
        assert metric["_links"]["unit"]["href"].endswith(f"/v1/units/{metric['unit']}")
        assert metric["_links"]["unit"]["href"] in units
    for measurement in collect(client, "/v1/measurements?pageSize=500"):
        assert measurement["_links"]["unit"]["href"] in units
    followed = client.get(metrics[0]["_links"]["unit"]["href"])
    assert followed.status_code == 200 and followed.json()["code"] == metrics[0]["unit"]


def test_units_as_csv(client, seed_data):
    response = client.get("/v1/units?format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["code"] for row in rows] == [unit.code for unit in seed_data.units]
    assert set(rows[0]) >= {"labelNl", "labelEn", "ucum", "description", "_links.self.href"}
