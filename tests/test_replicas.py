"""Two service instances on one database, as a load balancer would run them: a write
acknowledged by one instance is seen by the very next read through the other, with both
response caches on. Each instance is a real server process (uvicorn, one worker) on the
module's writable database (PostgreSQL or one SQLite file, whichever TEST_DATABASE_URL
selects)."""

import concurrent.futures
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import Session

from app.core.config import Settings
from app.services import api_keys
from tests.servers import free_port, wait_until_ready

REPOSITORY = Path(__file__).resolve().parents[1]
ROUNDS = 200
GOAL = "B3"
PERSPECTIVE = "B"
METRIC, PERIOD = "M5.1", "2019"


def _start_instance(settings: Settings, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REQUEST_LOG="false",
        WRITE_RATE_LIMIT="100000/minute",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--no-access-log"],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads fills up and then blocks the server.
        stderr=log.open("w"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    if not wait_until_ready(base, seconds=30):
        _stop(process)
        pytest.fail(f"instance did not become ready: {log.read_text()[-2000:]}")
    return process, base


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def instances(
    writable_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    logs = tmp_path_factory.mktemp("replica-logs")
    first, first_url = _start_instance(writable_settings, logs / "first.log")
    try:
        second, second_url = _start_instance(writable_settings, logs / "second.log")
    except BaseException:
        _stop(first)
        raise
    yield first_url, second_url
    _stop(first)
    _stop(second)


@pytest.fixture(scope="module")
def key(writable_engine) -> str:
    with Session(writable_engine) as session:
        return api_keys.create_key(session, "replica-writer").secret


def _measurement_url(base: str) -> str:
    return f"{base}/v1/metrics/{METRIC}/measurements/{quote(PERIOD)}"


def _reads_after_status(reader: httpx.Client, base: str, text: str, status_id: int) -> list[str]:
    """The reads that must show the status just written; returns what was stale."""
    stale = []
    goal = reader.get(f"{base}/v1/goals/{GOAL}").json()
    if goal["latestStatus"]["text"] != text:
        stale.append("goal")
    statuses = reader.get(f"{base}/v1/goals/{GOAL}/statuses", params={"pageSize": 500}).json()
    if all(item["id"] != status_id for item in statuses["items"]):
        stale.append("statuses")
    listed = reader.get(f"{base}/v1/goals", params={"perspective": PERSPECTIVE}).json()
    if not any(
        item["code"] == GOAL and item["latestStatus"]["text"] == text for item in listed["items"]
    ):
        stale.append("goals?perspective")
    return stale


def test_a_write_through_one_instance_is_read_through_the_other(instances, key):
    headers = {"Authorization": f"Bearer {key}"}
    stale: list[str] = []
    with httpx.Client(timeout=30) as http:
        for round_number in range(ROUNDS):
            writer, reader = instances if round_number % 2 == 0 else instances[::-1]
            text = f"Replica check {round_number}: a status written through one instance."
            created = http.post(
                f"{writer}/v1/goals/{GOAL}/statuses",
                json={"asOf": "2022-03-01", "text": text},
                headers=headers,
            )
            assert created.status_code == 201, created.text
            stale += _reads_after_status(http, reader, text, created.json()["id"])

            current = http.get(_measurement_url(writer))
            value = float(round_number)
            replaced = http.put(
                _measurement_url(writer),
                json={"value": value, "valueText": str(round_number), "status": "final"},
                headers=headers | {"If-Match": current.headers["ETag"]},
            )
            assert replaced.status_code == 200, replaced.text
            if http.get(_measurement_url(reader)).json()["value"] != value:
                stale.append("measurement")
            if round_number % 20 == 0:
                export = http.get(f"{reader}/v1/export").json()
                if not any(status["text"] == text for status in export["statuses"]):
                    stale.append("export")
    assert stale == []


def _export_generations(http: httpx.Client, base: str) -> float:
    """The instance's `export_generations_total` for the JSON export."""
    for line in http.get(f"{base}/metrics").text.splitlines():
        if line.startswith('export_generations_total{representation="json"}'):
            return float(line.split()[-1])
    return 0.0


def test_the_instances_share_one_generation_of_the_export(instances, key):
    with httpx.Client(timeout=60) as http:
        created = http.post(
            f"{instances[0]}/v1/goals/{GOAL}/statuses",
            json={"asOf": "2022-03-02", "text": "Shared export check."},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert created.status_code == 201, created.text
        before = sum(_export_generations(http, base) for base in instances)
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(
                pool.map(lambda number: http.get(f"{instances[number % 2]}/v1/export"), range(40))
            )
        after = sum(_export_generations(http, base) for base in instances)
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    assert len({answer.headers["ETag"] for answer in answers}) == 1
    assert created.json()["id"] in {s["id"] for s in answers[0].json()["statuses"]}
    assert after - before == 1
