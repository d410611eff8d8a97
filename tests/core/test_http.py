"""Headers and methods that every endpoint shares (app/core/http.py)."""

import pytest

from app import __version__

GET_PATHS = [
    "/v1",
    "/v1/perspectives",
    "/v1/perspectives/A",
    "/v1/goals",
    "/v1/goals/{goal}",
    "/v1/goals/{goal}/statuses",
    "/v1/indicators",
    "/v1/indicators/{indicator}",
    "/v1/metrics",
    "/v1/metrics/{metric}",
    "/v1/metrics/{metric}/measurements",
    "/v1/measurements",
    "/v1/openapi.json",
]


@pytest.fixture(scope="module")
def paths(seed_data):
    indicator = next(i for i in seed_data.indicators if i.metrics)
    codes = {
        "goal": seed_data.goals[0].code,
        "indicator": indicator.code,
        "metric": indicator.metrics[0].code,
    }
    return [path.format(**codes) for path in GET_PATHS]


def test_every_get_answers_with_api_version_and_open_cors(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["API-Version"] == __version__
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_api_version_is_a_full_semantic_version():
    major, minor, patch = __version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_errors_carry_api_version_too(client):
    for path in ("/v1/goals/Z99", "/v1/goals?year=abc", "/v1/nothing-here", "/elsewhere"):
        response = client.get(path)
        assert response.status_code in (400, 404)
        assert response.headers["API-Version"] == __version__


def test_head_works_wherever_get_does(client, paths):
    for path in paths:
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["API-Version"] == __version__


def test_head_of_a_missing_resource_is_404(client):
    response = client.head("/v1/goals/Z99")
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize(
    "path",
    ["/v1/goals/", "/v1/perspectives/", "/v1/indicators/", "/v1/measurements/"],
)
def test_trailing_slash_is_404_not_a_redirect(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_writes_are_not_allowed_and_say_which_methods_are(client):
    response = client.post("/v1/goals", json={})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_unexpected_errors_become_problem_json(engine, settings):
    from fastapi.testclient import TestClient

    from app.main import create_app

    app = create_app(settings)

    @app.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with TestClient(app) as client:
        response = client.get("/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == __version__
    assert "kaboom" not in response.text


@pytest.mark.parametrize(
    ("url", "allow"),
    [
        ("/v1/goals", "GET, HEAD"),
        ("/v1/goals/C1/statuses", "GET, HEAD, POST"),
        ("/v1/metrics/M1.1/measurements/2018", "GET, HEAD, PUT"),
    ],
)
def test_allow_names_every_method_of_the_resource(client, url, allow):
    response = client.request("OPTIONS", url)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow


@pytest.mark.parametrize("query", ["pageSize=5&pageSize=6", "asOf=2022-01-01&asOf=2022-02-01"])
def test_a_repeated_single_value_parameter_is_a_bad_request(client, query):
    response = client.get(f"/v1/goals?{query}")
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["reason"] == "takes one value"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/goals?asOf=0",
        "/v1/goals?asOf=1648771200",
        "/v1/goals?asOf=2022-01-01T00:00",
        "/v1/goals/A1?asOf=1899-12-31",
    ],
)
def test_dates_are_yyyy_mm_dd_only(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "asOf"


def test_code_filters_take_lists(client):
    repeated = client.get("/v1/measurements?indicator=M5&indicator=M9&pageSize=500").json()
    commas = client.get("/v1/measurements?indicator=M5,M9&pageSize=500").json()
    assert {item["indicatorCode"] for item in repeated["items"]} == {"M5", "M9"}
    assert repeated["items"] == commas["items"]
    assert client.get("/v1/goals?perspective=Z&perspective=C").status_code == 400
    assert client.get("/v1/goals?perspective=C&perspective=Z").status_code == 400
