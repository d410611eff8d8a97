"""Many writers at once, over HTTP, against a real uvicorn server on a free localhost port:
every acknowledged write is stored exactly once, every update made with a stale ETag gets 412,
and nothing is lost or duplicated. Runs on SQLite (WAL, busy timeout) and PostgreSQL (row
locks), whichever TEST_DATABASE_URL selects."""

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from sqlmodel import Session

from app.core.config import Settings
from app.main import create_app
from app.services import api_keys

WRITERS = 8
STATUSES_PER_WRITER = 6
UPDATES_PER_WRITER = 8


@pytest.fixture(scope="module")
def server_url(writable_settings: Settings) -> Iterator[str]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(writable_settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture(scope="module")
def writer_keys(writable_engine) -> list[str]:
    # One key per writer, as separate tools would have.
    with Session(writable_engine) as session:
        return [
            api_keys.create_key(session, f"concurrent-writer-{n}").secret for n in range(WRITERS)
        ]


def _run_writers(job, keys: list[str]) -> list:
    barrier = threading.Barrier(len(keys))

    def run(index: int):
        barrier.wait()  # start together, to make the writes overlap
        return job(index, keys[index])

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(run, range(len(keys))))


def test_concurrent_status_appends_are_each_stored_once(server_url, writer_keys, seed_data):
    goal = next(goal for goal in seed_data.goals if goal.statuses).code
    url = f"{server_url}/v1/goals/{goal}/statuses"
    before = httpx.get(url + "?pageSize=500").json()["items"]

    def job(index: int, key: str) -> list[dict]:
        acknowledged = []
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            for n in range(STATUSES_PER_WRITER):
                text = f"writer {index} status {n}"
                response = client.post(url, json={"asOf": "2022-06-30", "text": text})
                assert response.status_code == 201, response.text
                acknowledged.append(response.json())
        return acknowledged

    acknowledged = [entry for batch in _run_writers(job, writer_keys) for entry in batch]
    after = httpx.get(url + "?pageSize=500").json()["items"]
    assert len(after) == len(before) + WRITERS * STATUSES_PER_WRITER
    written = Counter(item["text"] for item in after[len(before) :])
    assert all(count == 1 for count in written.values())
    assert set(written) == {entry["text"] for entry in acknowledged}
    stored = {item["id"]: item for item in after}
    for entry in acknowledged:
        assert stored[entry["id"]] == entry


def test_concurrent_corrections_of_one_entry_supersede_it_once(server_url, writer_keys, seed_data):
    goal = [goal for goal in seed_data.goals if goal.statuses][1].code
    url = f"{server_url}/v1/goals/{goal}/statuses"
    original = httpx.post(
        url,
        json={"asOf": "2022-07-01", "text": "to be corrected"},
        headers={"Authorization": f"Bearer {writer_keys[0]}"},
    ).json()

    def job(index: int, key: str) -> int:
        response = httpx.post(
            url,
            json={
                "asOf": "2022-07-01",
                "text": f"correction {index}",
                "supersedes": original["id"],
            },
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        return response.status_code

    statuses = _run_writers(job, writer_keys)
    assert sorted(statuses) == [201] + [409] * (WRITERS - 1)
    history = httpx.get(url + "?pageSize=500").json()["items"]
    assert [item["supersedes"] for item in history].count(original["id"]) == 1


def test_concurrent_replacements_with_if_match_lose_nothing(server_url, writer_keys, seed_data):
    row = next(row for row in seed_data.measurements if row.value is not None)
    url = f"{server_url}/v1/metrics/{row.metric_code}/measurements/{quote(row.period)}"

    def job(index: int, key: str) -> list[tuple[int, float, int | None]]:
        outcomes = []
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            for n in range(UPDATES_PER_WRITER):
                current = client.get(url)
                assert current.status_code == 200
                value = 1000 * (index + 1) + n
                response = client.put(
                    url,
                    json={"value": value, "valueText": str(value), "status": "final"},
                    headers={"If-Match": current.headers["ETag"]},
                )
                assert response.status_code in (200, 412), response.text
                version = response.json()["version"] if response.status_code == 200 else None
                outcomes.append((response.status_code, value, version))
        return outcomes

    outcomes = [outcome for batch in _run_writers(job, writer_keys) for outcome in batch]
    acknowledged = [(value, version) for status, value, version in outcomes if status == 200]
    conflicts = [value for status, value, _ in outcomes if status == 412]
    assert len(acknowledged) + len(conflicts) == WRITERS * UPDATES_PER_WRITER
    assert acknowledged, "no update succeeded"

    versions = httpx.get(url + "/revisions").json()["items"]
    # Version 1 is the seed's; every acknowledged update made exactly one more version.
    assert [item["version"] for item in versions] == list(range(1, len(acknowledged) + 2))
    by_version = {item["version"]: item for item in versions}
    for value, version in acknowledged:
        assert by_version[version]["value"] == value
    written_values = [item["value"] for item in versions[1:]]
    assert sorted(written_values) == sorted(value for value, _ in acknowledged)
    # A refused update left no trace.
    assert not set(conflicts) & set(written_values)
    assert versions[-1]["current"] is True


def test_concurrent_creates_of_one_period_make_one_measurement(server_url, writer_keys, seed_data):
    metric = seed_data.measurements[0].metric_code
    url = f"{server_url}/v1/metrics/{metric}/measurements/2031"

    def job(index: int, key: str) -> int:
        response = httpx.put(
            url,
            json={"value": index, "valueText": str(index), "status": "final"},
            headers={"Authorization": f"Bearer {key}", "If-None-Match": "*"},
            timeout=30,
        )
        return response.status_code

    statuses = _run_writers(job, writer_keys)
    assert sorted(statuses) == [201] + [412] * (WRITERS - 1)
    listed = httpx.get(f"{server_url}/v1/metrics/{metric}/measurements?year=2031").json()
    assert len(listed["items"]) == 1
    assert len(httpx.get(url + "/revisions").json()["items"]) == 1
