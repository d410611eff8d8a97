"""Every error is RFC 9457 problem+json (app/core/errors.py)."""

import pytest

CASES = [
    ("/v1/goals?year=abc", 400),
    ("/v1/goals?pageSize=0", 400),
    ("/v1/goals?pageSize=100000", 400),
    ("/v1/goals?perspective=Nowhere", 400),
    ("/v1/goals?colour=blue", 400),
    ("/v1/measurements?cursor=%%%", 400),
    ("/v1/goals/Z99", 404),
    ("/v1/perspectives/nowhere", 404),
    ("/v1/indicators/M0", 404),
    ("/v1/metrics/M0.0", 404),
    ("/v1/metrics/M0.0/measurements", 404),
    ("/v1/goals/Z99/statuses", 404),
    ("/v1/unknown", 404),
]


@pytest.mark.parametrize(("url", "status"), CASES)
def test_errors_are_problem_details(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["instance"] == url.split("?")[0]
    assert body["detail"]
    if status == 400:
        assert body["invalidParams"]
        assert all({"name", "reason"} <= set(param) for param in body["invalidParams"])
    else:
        assert "invalidParams" not in body


def test_validation_errors_are_never_422(client):
    for url in ("/v1/measurements?yearFrom=abc&yearTo=def", "/v1/goals?progress=1&year=x"):
        response = client.get(url)
        assert response.status_code == 400
        names = {param["name"] for param in response.json()["invalidParams"]}
        assert len(names) == 2


def test_unknown_query_parameters_are_named(client):
    response = client.get("/v1/indicators?foo=1&bar=2")
    assert response.status_code == 400
    names = [param["name"] for param in response.json()["invalidParams"]]
    assert names == ["bar", "foo"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/v1/goals/A%001", 400),
        ("/v1/perspectives/%00", 400),
        ("/v1/indicators/M%00", 400),
        ("/v1/metrics/%00", 400),
        ("/v1/metrics/%00/measurements", 400),
        ("/v1/goals/%00/statuses", 400),
        ("/v1/indicators/" + "x" * 5000, 404),
        ("/v1/goals?perspective=%00", 400),
        ("/v1/measurements?metric=M%00", 400),
        ("/v1/measurements?indicator=%00", 400),
        ("/v1/metrics?indicator=%27%3B%20DROP%20TABLE%20goal%3B--", 400),
        ("/v1/goals?perspective=" + "é" * 300, 400),
        ("/v1/goals?cursor=%00", 400),
    ],
)
def test_malformed_input_is_an_error_never_a_500(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
