"""A real browser (headless Chromium): the interactive docs render without a console error,
and a page on another origin can read the API (sending X-Request-ID, reading the exposed
headers) but is refused a write."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import console_errors

PAGE = b"<!doctype html><title>another origin</title>"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_page_renders_in_chromium(browser, live_server, path):
    page = browser.new_page()
    errors = console_errors(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(live_server + path, wait_until="networkidle")
    assert response.status == 200
    page.locator("text=List goals in report order >> visible=true").first.wait_for(timeout=15000)
    assert page.title()
    assert errors == []
    own = (live_server, "blob:" + live_server, "data:")
    assert all(url.startswith(own) for url in requested), requested
    page.close()


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def another_origin():
    """A second web server on this machine: another origin in the same (loopback) address
    space, as Chromium only lets such pages call a loopback address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def page_on_another_origin(browser, another_origin):
    page = browser.new_page()
    page.goto(another_origin + "/")
    yield page
    page.close()


READ = """async (base) => {
    const response = await fetch(base + "/v1/goals?perspective=C&perspective=D&pageSize=5", {
        headers: {"Accept": "application/json", "X-Request-ID": "from-another-origin"},
    });
    const body = await response.json();
    const csv = await fetch(base + "/v1/measurements?metric=M5.1&format=csv",
        {headers: {"X-Request-ID": "csv-from-another-origin"}});
    return {
        status: response.status,
        perspectives: [...new Set(body.items.map((goal) => goal.perspectiveCode))],
        requestId: response.headers.get("X-Request-ID"),
        apiVersion: response.headers.get("API-Version"),
        next: response.headers.get("ETag") !== null,
        csvDisposition: csv.headers.get("Content-Disposition"),
    };
}"""

WRITE = """async (base) => {
    try {
        const response = await fetch(base + "/v1/goals/C1/statuses", {
            method: "POST",
            headers: {"Content-Type": "application/json", "Authorization": "Bearer not-a-key"},
            body: JSON.stringify({asOf: "2022-02-01", text: "from a browser"}),
        });
        return "answered " + response.status;
    } catch (error) {
        return "refused";
    }
}"""


def test_another_origin_reads_a_collection_with_a_request_id(page_on_another_origin, live_server):
    result = page_on_another_origin.evaluate(READ, live_server)
    assert result["status"] == 200
    assert result["perspectives"] == ["C"]
    assert result["requestId"] == "from-another-origin"
    assert result["apiVersion"]
    assert result["next"]
    assert result["csvDisposition"].startswith("attachment; filename=")


def test_another_origin_is_refused_a_write(page_on_another_origin, live_server):
    assert page_on_another_origin.evaluate(WRITE, live_server) == "refused"
