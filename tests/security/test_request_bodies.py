"""Request bodies an attacker controls: trickled slowly (they must not use up the database
connections that everyone else needs), cut off by a disconnect, or sent with a malformed
chunked encoding (a 400 or no answer, never a server error in the answer, logs or metrics).
Against real servers: uvicorn and granian."""

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from tests.servers import running_granian, running_server

SLOW_WRITERS = 20
BODY = json.dumps({"asOf": "2022-07-01", "text": "Sent very slowly."}).encode()


def _post_head(key: str, framing: str) -> bytes:
    return (
        "POST /v1/goals/A1/statuses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n{framing}\r\n"
    ).encode()


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def _answer(connection: socket.socket) -> bytes:
    """What the server sent back before closing (b"" when it sent nothing)."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and b"content-length" in received.lower():
                head, _, body = received.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                if len(body) >= length:
                    break
    except (ConnectionResetError, TimeoutError):
        pass
    return received


@pytest.fixture
def request_log() -> Iterator[list[dict]]:
    """Request log lines of the servers running in this process."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(dict(record.__dict__))

    handler = Collect()
    logger = logging.getLogger("app.request")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def test_reads_and_readiness_answer_while_twenty_writers_trickle_their_bodies(
    writable_settings: Settings, api_key: str
):
    # Uncached reads: every one needs a pooled connection of its own.
    uncached = writable_settings.model_copy(update={"response_cache_enabled": False})
    with running_server(create_app(uncached)) as base_url:
        writers = [
            socket.create_connection(("127.0.0.1", _port(base_url)), timeout=30)
            for _ in range(SLOW_WRITERS)
        ]
        try:
            for writer in writers:
                writer.sendall(_post_head(api_key, f"Content-Length: {len(BODY)}\r\n") + BODY[:5])
            time.sleep(1.0)  # every writer is now waiting for the rest of its body
            with httpx.Client(base_url=base_url, timeout=10) as reader:
                # More reads than the pool has connections (5 + 10 overflow).
                for size in range(1, 21):
                    response = reader.get("/v1/goals", params={"pageSize": size})
                    assert response.status_code == 200, response.text
                assert reader.get("/readyz").status_code == 200
            for writer in writers:
                writer.sendall(BODY[5:])
            answers = [_answer(writer) for writer in writers]
        finally:
            for writer in writers:
                writer.close()
    assert all(answer.startswith(b"HTTP/1.1 201 ") for answer in answers), answers[:1]


def test_a_body_that_does_not_arrive_in_time_is_408(writable_settings: Settings, api_key: str):
    impatient = writable_settings.model_copy(update={"request_body_timeout_seconds": 0.5})
    with (
        running_server(create_app(impatient)) as base_url,
        socket.create_connection(("127.0.0.1", _port(base_url)), timeout=10) as writer,
    ):
        writer.sendall(_post_head(api_key, f"Content-Length: {len(BODY)}\r\n") + BODY[:5])
        answer = _answer(writer)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"application/problem+json" in answer


def _broken_bodies(base_url: str, key: str) -> list[bytes]:
    """A client that disconnects mid-body, then a malformed chunked body; the answers."""
    port = _port(base_url)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as gone:
        gone.sendall(_post_head(key, "Content-Length: 100\r\n") + b'{"asOf"')
        time.sleep(0.3)
    time.sleep(0.5)  # the server notices the disconnect
    with socket.create_connection(("127.0.0.1", port), timeout=10) as malformed:
        malformed.sendall(
            _post_head(key, "Transfer-Encoding: chunked\r\n") + b"zz\r\nabc\r\n0\r\n\r\n"
        )
        answer = _answer(malformed)
    return [answer]


def _server_errors_counted(base_url: str) -> list[str]:
    """Writes counted as server errors (the counters are per process: other tests' reads may
    be in them)."""
    metrics = httpx.get(f"{base_url}/metrics", timeout=10).text
    return [
        line
        for line in metrics.splitlines()
        if line.startswith("http_requests_total{")
        and 'method="POST"' in line
        and 'status="500"' in line
        and not line.endswith(" 0.0")
    ]


def _logged_posts(log_file: Path, expected: int) -> list[dict]:
    """The request lines of the POSTs in a server's log, once written (each follows its
    answer)."""
    deadline = time.monotonic() + 10
    while True:
        text = log_file.read_text()
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        posts = [line for line in lines if line.get("method") == "POST"]
        if len(posts) >= expected or time.monotonic() > deadline:
            return posts
        time.sleep(0.05)


def _assert_400_or_nothing(answer: bytes) -> None:
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400 "), answer


def test_broken_bodies_are_never_server_errors_under_uvicorn(
    writable_settings: Settings, api_key: str, request_log: list[dict]
):
    with running_server(create_app(writable_settings)) as base_url:
        for answer in _broken_bodies(base_url, api_key):
            _assert_400_or_nothing(answer)
        assert _server_errors_counted(base_url) == []
    posts = [line for line in request_log if line["method"] == "POST"]
    assert len(posts) == 2
    assert all(line["status"] < 500 for line in posts), posts


def test_broken_bodies_are_never_server_errors_under_granian(
    writable_settings: Settings, api_key: str, tmp_path: Path
):
    environment = {
        "DATABASE_URL": writable_settings.database_url,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    log_file = tmp_path / "granian.log"
    with running_granian(environment, log_file) as base_url:
        for answer in _broken_bodies(base_url, api_key):
            _assert_400_or_nothing(answer)
        assert _server_errors_counted(base_url) == []
        posts = _logged_posts(log_file, expected=2)
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    assert len(posts) == 2
    assert all(line["status"] < 500 for line in posts), posts
    assert not [line for line in lines if line["level"] == "ERROR"]
