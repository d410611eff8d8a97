"""SIGTERM, as an orchestrator sends it, to the production server (granian, as the README runs
it) in a subprocess: requests in flight are answered, the process exits cleanly, and every write
is either stored once and acknowledged, or not stored at all. Runs on the database that
TEST_DATABASE_URL selects."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import Settings
from app.main import create_app
from app.services import api_keys
from tests.servers import free_port, wait_until_ready

REPOSITORY = Path(__file__).resolve().parents[1]
GRANIAN = Path(sys.executable).parent / "granian"
WRITERS = 6


@pytest.fixture
def server(writable_settings: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """granian with two workers on a free port, on the module's writable database."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=writable_settings.database_url,
        REQUEST_LOG="false",
        WRITE_RATE_LIMIT="100000/minute",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    process = subprocess.Popen(
        [
            *(GRANIAN, "--interface", "asgi", "--workers", "2"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
            "app.main:app",
        ],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so that no worker outlives the test
    )
    if not wait_until_ready(f"http://127.0.0.1:{port}", seconds=30):
        _kill_group(process)
        pytest.fail(f"granian did not become ready: {process.stderr.read().decode()[-2000:]}")
    yield process, port
    _kill_group(process)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # the server and its workers are gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def keys(writable_engine) -> list[str]:
    with Session(writable_engine) as session:
        return [api_keys.create_key(session, f"shutdown-{n}").secret for n in range(WRITERS)]


def _stored_texts(settings: Settings, goal: str) -> Counter:
    # A fresh app on the same database: what a restarted service would serve.
    with TestClient(create_app(settings)) as client:
        response = client.get(f"/v1/goals/{goal}/statuses", params={"pageSize": 500})
        assert response.status_code == 200
        return Counter(item["text"] for item in response.json()["items"])


def test_a_request_in_flight_at_sigterm_is_answered_and_stored(server, keys, writable_settings):
    process, port = server
    body = json.dumps({"asOf": "2022-07-01", "text": "Written across a SIGTERM."}).encode()
    head = (
        "POST /v1/goals/A1/statuses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {keys[0]}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        # The request is in flight: its body is still arriving when the signal comes.
        connection.sendall(head + body[:10])
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        connection.sendall(body[10:])
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:300]
    assert process.wait(timeout=30) == 0
    assert _stored_texts(writable_settings, "A1")["Written across a SIGTERM."] == 1
    # The server is gone: no new connections.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_writes_racing_a_sigterm_are_stored_once_or_not_at_all(server, keys, writable_settings):
    process, port = server
    goal = "B3"
    acknowledged: list[str] = []
    unanswered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(index: int) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {keys[index]}"},
            timeout=20,
        ) as client:
            sequence = 0
            while not stop.is_set():
                sequence += 1
                text = f"Shutdown race {index}-{sequence}."
                try:
                    response = client.post(
                        f"/v1/goals/{goal}/statuses", json={"asOf": "2022-07-01", "text": text}
                    )
                except httpx.TransportError:
                    with lock:
                        unanswered.append(text)
                    return  # the server is going away
                with lock:
                    if response.status_code == 201:
                        acknowledged.append(text)
                    else:
                        unanswered.append(text)
                        assert response.status_code == 503, response.text

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    stored = _stored_texts(writable_settings, goal)
    assert len(acknowledged) >= WRITERS  # the race really had writes in it
    assert all(stored[text] == 1 for text in acknowledged)
    assert all(stored[text] <= 1 for text in unanswered)
    written = {text for text in stored if text.startswith("Shutdown race")}
    assert written <= set(acknowledged) | set(unanswered)
