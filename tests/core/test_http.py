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
