"""API Design Rules conformance (app/core/conformance.py, app/core/http.py): the OpenAPI
document's contact, servers and version; security and CORS headers; read preflights; and docs
that load every asset from the service itself, under a Content-Security-Policy."""

import base64
import hashlib
import re

import pytest

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
REFERENCE = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\(["']?([^"')]+)""")


def test_openapi_contact_servers_and_version(client):
    document = client.get("/v1/openapi.json").json()
    contact = document["info"]["contact"]
    assert contact["name"] and contact["url"].startswith("https://") and "@" in contact["email"]
    assert [server["url"] for server in document["servers"]] == ["/v1"]
    assert SEMVER.match(document["info"]["version"])
    assert client.get("/v1").headers["API-Version"] == document["info"]["version"]
    # Paths are relative to the server: every documented read answers under /v1.
    for path, item in document["paths"].items():
        if "get" in item and "{" not in path and path != "/search":
            assert client.get("/v1" + path.rstrip("/")).status_code == 200, path


def test_every_error_response_is_problem_json(client):
    document = client.get("/v1/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                assert "API-Version" in response["headers"], (path, method, status)
                if status >= "400":
                    assert list(response["content"]) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )
            if method == "get":
                assert {"304", "406"} <= set(operation["responses"]), path
                assert "ETag" in operation["responses"]["200"]["headers"], path


@pytest.mark.parametrize("url", ["/v1/goals", "/v1/goals/Z9", "/docs", "/v1/openapi.json"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_reads_are_open_to_any_origin_and_expose_the_caching_headers(client):
    response = client.get("/v1/measurements", headers={"Origin": "https://dashboard.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {
        name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"API-Version", "ETag", "Link"} <= exposed


def test_read_preflight_is_answered_for_any_origin(client):
    response = client.options(
        "/v1/measurements",
        headers={
            "Origin": "https://dashboard.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_every_asset_from_the_service(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    references = [a or b for a, b in REFERENCE.findall(html)]
    assert references, "the page loads its assets"
    for reference in references:
        assert not re.match(r"^(https?:)?//", reference), reference
        assert client.get(reference).status_code == 200, reference
    assert not re.search(r"https?://(?!testserver)", html.replace("http://www.w3.org", ""))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_have_a_content_security_policy(client, page):
    response = client.get(page)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy and "unsafe-inline' " not in policy.split("style-src")[0]
    for script in re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
