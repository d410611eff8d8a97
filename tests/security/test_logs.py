"""What `coalition-monitor serve` writes: only JSON lines (its servers' own lines included,
access lines too), and never a key: not a key sent as `?access_token=`, not `Authorization`.
Under uvicorn (`serve`) and granian (`serve --workers 2`)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.servers import REPOSITORY, free_port, wait_until_ready

CLI = Path(sys.executable).parent / "coalition-monitor"


@contextmanager
def serving(settings: Settings, log_file: Path, *arguments: str) -> Iterator[str]:
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SEED_DIR": str(settings.seed_dir),
        "PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(log_file.parent),
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [CLI, "serve", *arguments],
            cwd=REPOSITORY,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,  # everything it writes, in one place
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_ready(base_url, seconds=60), log_file.read_text()[-2000:]
        yield base_url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _leak_keys(base_url: str, key: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.get(f"/v1/goals?access_token={key}").status_code == 400
        assert client.get("/v1/goals", params={"api_key": "my-secret-value"}).status_code == 400
        assert client.get(f"/v1/goals/{key}").status_code == 404
        client.post(
            "/v1/goals/A1/statuses",
            json={"asOf": "2022-03-01", "text": "Logged without its key."},
            headers={"Authorization": f"Bearer {key}"},
        )


def _assert_json_lines_without_secrets(log_file: Path, key: str) -> list[dict]:
    text = log_file.read_text()
    assert key not in text
    assert "my-secret-value" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line!r}")
    return parsed


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["uvicorn", "granian"])
def test_serve_logs_only_json_and_never_a_key(writable_settings, api_key, tmp_path, workers):
    log_file = tmp_path / "serve.log"
    with serving(writable_settings, log_file, *workers) as base_url:
        _leak_keys(base_url, api_key)
    lines = _assert_json_lines_without_secrets(log_file, api_key)
    requests = [line for line in lines if line.get("logger") == "app.request"]
    assert {"access_token=[redacted]", "api_key=[redacted]"} <= {line["query"] for line in requests}
    if not workers:
        access = [line for line in lines if line.get("logger") == "uvicorn.access"]
        assert any("access_token=[redacted]" in line["message"] for line in access)
