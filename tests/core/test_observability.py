"""Request ids, the JSON request log and the Prometheus metrics, through HTTP."""

import io
import json
import logging
import re

from app.core.observability import json_formatter, redact_query, redact_target


def _metric(client, name: str, **labels: str) -> float:
    text = client.get("/metrics").text
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        metric, _, value = line.rpartition(" ")
        metric_name, _, label_text = metric.partition("{")
        found = ",".join(sorted(label_text.rstrip("}").split(","))) if label_text else ""
        if metric_name == name and found == wanted:
            return float(value)
    return 0.0


def test_a_request_id_is_generated_and_returned(client):
    first = client.get("/v1/perspectives").headers["X-Request-ID"]
    second = client.get("/v1/perspectives").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_callers_request_id_is_kept(client):
    response = client.get("/v1/goals/Z9", headers={"X-Request-ID": "trace-42.abc"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "trace-42.abc"


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/v1", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_one_json_log_line_per_request_with_its_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    logger = logging.getLogger("app.request")
    logger.addHandler(handler)
    try:
        response = client.get("/v1/goals/A1?asOf=2022-01-01", headers={"X-Request-ID": "log-1"})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1
    (line,) = lines
    assert line["requestId"] == "log-1" == response.headers["X-Request-ID"]
    assert line["method"] == "GET"
    assert line["path"] == "/v1/goals/A1"
    assert line["query"] == "asOf=2022-01-01"
    assert line["route"] == "/v1/goals/{code}"
    assert line["status"] == response.status_code
    assert line["bytes"] == len(response.content)
    assert line["durationMs"] >= 0
    assert line["level"] == "INFO"


def test_metrics_count_requests_per_route_template_and_status(client):
    labels = {"route": "/v1/indicators/{code}", "method": "GET", "status": "404"}
    before = _metric(client, "http_requests_total", **labels)
    client.get("/v1/indicators/NOPE1")
    client.get("/v1/indicators/NOPE2")
    assert _metric(client, "http_requests_total", **labels) == before + 2
    assert _metric(client, "http_request_duration_seconds_count", **labels) == before + 2


def test_metrics_label_head_requests_with_their_route(client):
    labels = {"route": "/v1/metrics/{code}", "method": "HEAD", "status": "200"}
    before = _metric(client, "http_requests_total", **labels)
    assert client.head("/v1/metrics/M5.1").status_code == 200
    assert _metric(client, "http_requests_total", **labels) == before + 1


def test_unmatched_paths_share_one_label(client):
    labels = {"route": "<unmatched>", "method": "GET", "status": "404"}
    before = _metric(client, "http_requests_total", **labels)
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    assert _metric(client, "http_requests_total", **labels) == before + 2


def test_unknown_methods_share_one_label(client):
    labels = {"route": "/v1/goals", "method": "OTHER", "status": "405"}
    before = _metric(client, "http_requests_total", **labels)
    for method in ("BREW", "PROPFIND"):
        assert client.request(method, "/v1/goals").status_code == 405
    assert _metric(client, "http_requests_total", **labels) == before + 2
    text = client.get("/metrics").text
    assert 'method="BREW"' not in text and 'method="PROPFIND"' not in text


def test_metrics_count_cache_hits_and_misses(client):
    url = "/v1/measurements?year=2017&pageSize=7"
    misses = _metric(client, "response_cache_misses_total")
    hits = _metric(client, "response_cache_hits_total")
    first = client.get(url)
    second = client.get(url)
    assert first.content == second.content
    assert _metric(client, "response_cache_misses_total") == misses + 1
    assert _metric(client, "response_cache_hits_total") == hits + 1


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE http_request_duration_seconds histogram" in response.text
    assert "# TYPE database_errors_total counter" in response.text


def test_redaction_keeps_what_is_no_secret():
    assert redact_query("pageSize=5&cursor=abc&q=water") == "pageSize=5&cursor=abc&q=water"
    assert redact_query("Access-Token=x&TOKEN=y&q=cmk_abc") == (
        "Access-Token=[redacted]&TOKEN=[redacted]&q=[redacted]"
    )
    assert redact_target("/v1/goals/cmk_abc?key=1") == "/v1/goals/[redacted]?key=[redacted]"
