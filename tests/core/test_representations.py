"""CSV and content negotiation (app/core/representations.py): every collection and series as
CSV via `Accept: text/csv` or `format=csv`, the same items, filters and paging as JSON, and 406
for what we cannot serve. pandas reads the measurements URL from a real server as is."""

import csv
import io
import threading
import time

import anyio
import pandas
import pytest
import sqlalchemy as sa
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.core.representations import DataChangedWhileStreaming, whole_collection_csv
from app.main import create_app
from tests.conftest import collect
from tests.servers import free_port

# Text cells beginning with these are prefixed with a quote in CSV (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

COLLECTIONS = [
    "/v1/perspectives",
    "/v1/goals",
    "/v1/goals/C4/statuses",
    "/v1/indicators",
    "/v1/metrics",
    "/v1/metrics/M5.1/measurements",
    "/v1/measurements",
    "/v1/search?q=laadpalen",
]


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def _flat(item: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


@pytest.mark.parametrize("url", COLLECTIONS)
def test_every_collection_is_csv_with_the_json_items(client, url):
    # Without pageSize the CSV is the whole collection, the JSON its pages.
    items = collect(client, url)
    by_header = client.get(url, headers={"Accept": "text/csv"})
    separator = "&" if "?" in url else "?"
    by_query = client.get(f"{url}{separator}format=csv")

    assert by_header.status_code == 200
    assert by_header.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert by_header.content == by_query.content
    disposition = by_header.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.csv"')
    rows = _rows(by_header)
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        for column, value in _flat(item).items():
            if value is None and column not in row:
                # A null nested object (a metric without a trend): its columns are empty.
                nested = [name for name in row if name.startswith(column + ".")]
                assert nested and all(row[name] == "" for name in nested), column
            elif value is None:
                assert row[column] == ""
            elif isinstance(value, bool):
                assert row[column] == str(value).lower()
            elif isinstance(value, int | float):
                assert float(row[column]) == value
            elif isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                assert row[column] == "'" + value  # inert in a spreadsheet (OWASP)
            elif isinstance(value, str):
                assert row[column] == value


def test_csv_numbers_are_plain_and_nulls_empty(client):
    rows = _rows(client.get("/v1/measurements?format=csv&pageSize=500"))
    values = [row["value"] for row in rows]
    assert "" in values, "measurements without a number are empty cells"
    for value in filter(None, values):
        assert "e" not in value.lower() and "," not in value
        float(value)


def test_csv_header_row_even_for_an_empty_page(client):
    response = client.get("/v1/measurements?year=1901", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    header = response.text.splitlines()[0].split(",")
    assert {"metricCode", "period", "value", "_links.metric.href"} <= set(header)
    assert len(response.text.splitlines()) == 1


def test_csv_pages_with_a_link_header(client):
    first = client.get("/v1/measurements?indicator=M5&pageSize=3&format=csv")
    json_first = client.get("/v1/measurements?indicator=M5&pageSize=3").json()
    next_href = json_first["_links"]["next"]["href"]
    link = first.headers["Link"]
    assert link.startswith("<") and link.endswith('>; rel="next"')
    following = client.get(link[1 : link.index(">")])
    assert following.headers["content-type"].startswith("text/csv")
    assert [row["period"] for row in _rows(following)] == [
        item["period"] for item in client.get(next_href).json()["items"]
    ]


def test_csv_filters_like_json(client):
    url = "/v1/measurements?year=2019&status=final"
    assert len(_rows(client.get(url + "&format=csv&pageSize=500"))) == len(collect(client, url))


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/v1/measurements", "application/xml"),
        ("/v1/measurements", "image/png, text/html;q=0.5"),
        ("/v1/goals/C4", "text/csv"),
        ("/v1", "text/csv"),
    ],
)
def test_unsupported_accept_is_406(client, url, accept):
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 406


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "application/json"),
        ("text/*", "text/csv"),
        ("text/csv;q=0.9, application/json;q=0.5", "text/csv"),
        ("application/json, text/csv", "application/json"),
    ],
)
def test_accept_negotiation(client, accept, expected):
    response = client.get("/v1/metrics", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(expected)


def test_bad_format_is_400_and_format_only_on_collections(client):
    assert client.get("/v1/measurements?format=xml").status_code == 400
    assert client.get("/v1/goals/C4?format=csv").status_code == 400


# --- a real server, for pandas -------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url(engine, settings):
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_pandas_reads_the_measurements_url_as_is(server_url, client):
    items = collect(client, "/v1/measurements?indicator=M5")
    frame = pandas.read_csv(f"{server_url}/v1/measurements?indicator=M5&format=csv")
    assert len(frame) == len(items)
    assert list(frame["metricCode"]) == [item["metricCode"] for item in items]
    assert frame["value"].dtype.kind == "f"
    for read, item in zip(frame["value"], items, strict=True):
        assert (pandas.isna(read) and item["value"] is None) or read == item["value"]


def test_the_whole_collection_csv_is_streamed_under_an_etag_of_the_data_version(client):
    url = "/v1/measurements?format=csv"
    first = client.get(url)
    assert "content-length" not in first.headers  # streamed, not buffered
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(url + "&year=2019").headers["ETag"] != first.headers["ETag"]


def test_a_whole_collection_csv_is_broken_off_when_a_write_lands_meanwhile(
    writable_client, writable_engine
):
    """Its ETag names the data version read before the first page: bytes that may mix two
    versions are never completed under it."""
    calls = []

    async def handler(request):
        calls.append(request.url)
        if len(calls) == 1:
            with writable_engine.begin() as connection:  # a write commits between the pages
                connection.execute(sa.text("UPDATE data_version SET version = version + 1"))
            return JSONResponse(
                {"items": [{"code": "a"}], "_links": {"next": {"href": "/v1/x?cursor=2"}}}
            )
        return JSONResponse({"items": [{"code": "b"}], "_links": {}})

    scope = {"type": "http", "app": writable_client.app, "method": "GET", "path": "/v1/x"}
    request = Request({**scope, "headers": [], "query_string": b""})

    async def stream() -> list[bytes]:
        response = await whole_collection_csv(request, handler, [("code",)])
        return [chunk async for chunk in response.body_iterator]

    with pytest.raises(DataChangedWhileStreaming):
        anyio.run(stream)
    assert len(calls) == 2
