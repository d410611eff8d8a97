"""Each exceeded request limit gets its documented 4xx problem."""

from app.services.paging import MAX_PAGE_SIZE


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "API-Version" in response.headers
    body = response.json()
    assert body["status"] == status
    return body


def test_a_too_long_query_string_is_414(client, settings):
    long_value = "x" * settings.max_query_string_bytes
    _assert_problem(client.get(f"/v1/goals?perspective={long_value}"), 414)


def test_a_query_string_at_the_limit_is_answered(client, settings):
    padding = "C" + "&perspective=C" * 0
    url = f"/v1/goals?perspective={padding}"
    assert len(url.split("?", 1)[1]) <= settings.max_query_string_bytes
    assert client.get(url).status_code == 200


def test_a_declared_body_over_the_limit_is_413_before_anything_else(client, settings):
    response = client.post(
        "/v1/goals/A1/statuses",
        content=b"{}",
        headers={
            "Content-Type": "application/json",
            "Content-Length": str(settings.max_request_body_bytes + 1),
        },
    )
    _assert_problem(response, 413)


def test_a_too_long_search_term_is_400(client, settings):
    term = "laadpaal" * (settings.max_search_query_length // 8 + 1)
    body = _assert_problem(client.get("/v1/search", params={"q": term}), 400)
    assert body["invalidParams"][0]["name"] == "q"


def test_a_page_size_over_the_maximum_is_400(client):
    body = _assert_problem(client.get(f"/v1/measurements?pageSize={MAX_PAGE_SIZE + 1}"), 400)
    assert body["invalidParams"][0]["name"] == "pageSize"


def test_the_limits_are_documented_on_every_operation(client):
    document = client.get("/v1/openapi.json").json()
    for item in document["paths"].values():
        for method, operation in item.items():
            assert {"414", "503"} <= set(operation["responses"]), (method, operation)
            if method in ("post", "put"):
                assert {"413", "429"} <= set(operation["responses"])
