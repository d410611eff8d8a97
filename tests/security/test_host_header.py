"""Host-header cache poisoning: a request naming another host (or forged forwarded headers)
must not put that host into the links that any client receives, and forwarded headers count
only from trusted proxies, on uvicorn and on granian."""

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from app.cli import uvicorn_options
from app.core.config import Settings
from app.main import create_app
from tests.servers import running_granian, running_server

PUBLIC = "https://data.example.org"
FORGED = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.9",
}


def _link_bearing_reads(base_url: str) -> list[str]:
    """Every kind of answer that carries absolute links, as paths under `base_url`."""
    series = httpx.get(f"{base_url}/v1/metrics/M7.1/measurements", timeout=10).json()
    period = quote(series["items"][0]["period"], safe="")
    return [
        "/v1",
        "/v1/goals?pageSize=2",
        "/v1/goals?pageSize=2&format=csv",
        "/v1/goals/A1",
        "/v1/catalog",
        "/v1/export",
        f"/v1/metrics/M7.1/measurements/{period}",
    ]


def _links_of(response: httpx.Response) -> str:
    """The body and the Link header: everywhere a link can hide."""
    return response.text + response.headers.get("link", "")


def _assert_only_public_links(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    text = _links_of(response)
    assert "evil.example" not in text
    assert f"{PUBLIC}/v1" in text


@pytest.fixture(scope="module")
def public_settings(engine, settings: Settings) -> Settings:
    return settings.model_copy(
        update={"public_base_url": PUBLIC, "forwarded_allow_ips": "127.0.0.1"}
    )


def test_a_forged_host_never_reaches_any_clients_links_under_uvicorn(public_settings):
    options = uvicorn_options(public_settings)
    with running_server(create_app(public_settings), **_server_only(options)) as base_url:
        paths = _link_bearing_reads(base_url)
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for path in paths:
                # The attacker first, so a poisoned answer would be the one cached...
                _assert_only_public_links(client.get(path, headers=FORGED))
                # ...and an ordinary client next, who must get the public links.
                _assert_only_public_links(client.get(path))


def test_a_forged_host_never_reaches_any_clients_links_under_granian(
    public_settings, tmp_path: Path
):
    environment = {
        "DATABASE_URL": public_settings.database_url,
        "PUBLIC_BASE_URL": PUBLIC,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    with running_granian(environment, tmp_path / "granian.log") as base_url:
        paths = _link_bearing_reads(base_url)
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for path in paths:
                _assert_only_public_links(client.get(path, headers=FORGED))
                _assert_only_public_links(client.get(path))


def test_links_default_to_the_configured_host_and_port(engine, settings: Settings):
    local = settings.model_copy(update={"host": "127.0.0.1", "port": 8123})
    with TestClient(create_app(local)) as client:
        response = client.get("/v1/goals?pageSize=1", headers={"Host": "evil.example"})
    assert response.json()["_links"]["self"]["href"] == "http://127.0.0.1:8123/v1/goals?pageSize=1"
    assert "evil.example" not in response.text


def test_the_public_base_url_is_validated_and_a_wildcard_host_links_to_localhost():
    assert Settings(public_base_url="https://x.example/data/").base_url == "https://x.example/data"
    assert Settings(host="0.0.0.0", port=9000).base_url == "http://localhost:9000"
    for wrong in ("x.example", "ftp://x.example", "https://x.example/?q=1"):
        with pytest.raises(ValueError):
            Settings(public_base_url=wrong)


@pytest.fixture
def request_log() -> Iterator[list[dict]]:
    """The request log lines of servers in this process, as dicts."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.__dict__)

    handler = Collect()
    logger = logging.getLogger("app.request")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("trusted", "logged_client"), [("10.0.0.1", "127.0.0.1"), ("127.0.0.1", "203.0.113.9")]
)
def test_forwarded_for_counts_only_from_a_trusted_proxy_under_uvicorn(
    public_settings, request_log, trusted, logged_client
):
    configured = public_settings.model_copy(update={"forwarded_allow_ips": trusted})
    options = uvicorn_options(configured)
    with running_server(create_app(configured), **_server_only(options)) as base_url:
        httpx.get(f"{base_url}/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    [line] = [line for line in request_log if line["path"] == "/healthz"][-1:]
    assert line["client"] == logged_client


@pytest.mark.parametrize(
    ("trusted", "logged_client"), [("10.0.0.1", "127.0.0.1"), ("127.0.0.1", "203.0.113.9")]
)
def test_forwarded_for_counts_only_from_a_trusted_proxy_under_granian(
    public_settings, tmp_path: Path, trusted, logged_client
):
    environment = {
        "DATABASE_URL": public_settings.database_url,
        "FORWARDED_ALLOW_IPS": trusted,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    log_file = tmp_path / "granian.log"
    with running_granian(environment, log_file) as base_url:
        httpx.get(f"{base_url}/healthz?probe=forwarded", headers={"X-Forwarded-For": "203.0.113.9"})
        [line] = _logged_lines(log_file, lambda line: line.get("query") == "probe=forwarded")
    assert line["client"] == logged_client


def _logged_lines(log_file: Path, wanted) -> list[dict]:
    """The wanted JSON lines of a server's log, once written (a request's line follows its
    answer)."""
    deadline = time.monotonic() + 10
    while True:
        text = log_file.read_text()
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        found = [line for line in lines if wanted(line)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _server_only(options: dict) -> dict:
    """uvicorn's options as `serve` passes them, without where to listen (running_server picks
    a free port) and without the logging configuration (which would remove the handler through
    which these tests read the request log; tests/security/test_logs.py checks it)."""
    return {
        key: value for key, value in options.items() if key not in ("host", "port", "log_config")
    }
