"""Helpers for tests that run a real server on a local port."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

REPOSITORY = Path(__file__).resolve().parents[1]
GRANIAN = Path(sys.executable).parent / "granian"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(base_url: str, seconds: float) -> bool:
    """Poll `/readyz` until it answers 200; False when `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False


@contextmanager
def running_server(app=None, *, app_for=None, **config) -> Iterator[str]:
    """Serve an app with uvicorn in a thread on a free localhost port; yields its base URL.
    `app_for(base_url)` builds the app once the address is known (for links that must point at
    this very server, its PUBLIC_BASE_URL)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if app_for is not None:
        app = app_for(f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(app, **{"log_level": "warning", "lifespan": "on", **config})
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@contextmanager
def running_granian(environment: dict[str, str], log_file: Path, workers: int = 1) -> Iterator[str]:
    """The production server (granian, `app.main:app`) in a subprocess on a free port, with
    these environment variables (DATABASE_URL at least) and its stderr in `log_file`; yields
    its base URL and kills it (all its workers) on exit."""
    port = free_port()
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [
                *(GRANIAN, "--interface", "asgi", "--workers", str(workers)),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
                "app.main:app",
            ],
            cwd=REPOSITORY,
            env={**os.environ, **environment},
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group, so that no worker outlives the test
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_ready(base_url, seconds=30), log_file.read_text()[-2000:]
        yield base_url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def serving(settings) -> Iterator[str]:
    """The app of `settings` on a real server whose links point at that server."""
    from app.main import create_app

    return running_server(
        app_for=lambda base: create_app(settings.model_copy(update={"public_base_url": base}))
    )
