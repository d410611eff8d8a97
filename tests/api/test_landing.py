def test_landing_links_to_every_collection(client):
    response = client.get("/v1")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "coalition-monitor"
    assert body["version"] == response.headers["API-Version"]
    links = body["_links"]
    for name in ("perspectives", "goals", "indicators", "metrics", "measurements", "openapi"):
        assert links[name]["href"].endswith(
            f"/v1/{name}" if name != "openapi" else "/v1/openapi.json"
        )
        assert client.get(links[name]["href"]).status_code == 200
    assert client.get(links["docs"]["href"]).status_code == 200


def test_landing_is_also_the_root_of_the_documented_server(client):
    """The OpenAPI server is `/v1` and the landing its path `/`, so `/v1/` must answer too (the
    one exception to "no trailing slash"; `/v1/goals/` stays 404)."""
    response = client.get("/v1/", follow_redirects=False)
    assert response.status_code == 200
    assert response.json() == client.get("/v1").json()
