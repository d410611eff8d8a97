"""The response cache: repeated reads come from memory, yet a write committed by anyone (here:
straight through the database, as psql or another replica would) is visible to the very next
read of every app instance."""

import asyncio
import hashlib
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from app.core.data_version import SqliteVersionReader, VersionReader, current_version
from app.core.response_store import CachedResponse, ResponseCache
from app.main import create_app


@pytest.fixture
def two_apps(engine, settings):
    """Two app instances (as two workers or replicas) on one database."""
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        yield first, second


def _cache_of(client: TestClient):
    layer = client.app.middleware_stack
    while layer is not None:
        if hasattr(layer, "cache") and hasattr(layer, "versions"):
            return layer.cache
        layer = getattr(layer, "app", None)
    raise AssertionError("no response cache in the middleware stack")


def test_a_write_through_the_database_is_seen_by_every_instance_at_once(two_apps, engine):
    first, second = two_apps
    url = "/v1/goals/B2"
    original = first.get(url).json()["text"]
    assert second.get(url).json()["text"] == original
    # Both instances now hold the goal in their caches.
    assert first.get(url).json()["text"] == original
    assert len(_cache_of(first)) >= 1 and len(_cache_of(second)) >= 1
    changed = original + " (edited by another process)"
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE goal SET text = :text WHERE code = 'B2'"), {"text": changed}
            )
        assert first.get(url).json()["text"] == changed
        assert second.get(url).json()["text"] == changed
        assert second.get("/v1/goals?perspective=B").json()["items"][1]["text"] == changed
    finally:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE goal SET text = :text WHERE code = 'B2'"), {"text": original}
            )
    assert first.get(url).json()["text"] == original


def test_head_and_get_are_answered_alike_from_the_cache(client):
    url = "/v1/indicators/M5"
    full = client.get(url)
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "api-version"):
        assert head.headers[name] == full.headers[name]


def test_the_chosen_representation_is_part_of_the_key_and_the_encoding_is_not(client):
    # A page: the CSV of a whole collection is streamed, never kept (see below).
    url, query = "/v1/perspectives", "pageSize=7"
    plain = client.get(f"{url}?{query}", headers={"Accept-Encoding": "identity"})
    other = client.get(f"{url}?{query}", headers={"Accept-Encoding": "gzip"})
    assert plain.content == other.content
    csv = client.get(f"{url}?{query}", headers={"Accept": "text/csv"})
    assert csv.content != plain.content
    cache = _cache_of(client)
    keys = [key for key in cache._entries if key[:2] == (url, query.encode())]
    assert len(keys) == 2


def test_streams_pass_through_unkept(client):
    cache = _cache_of(client)
    for url in ("/v1/goals?format=csv", "/v1/export", "/v1/export?format=zip"):
        response = client.get(url)
        assert response.status_code == 200
        assert "content-length" not in response.headers
        path, _, query = url.partition("?")
        assert not [key for key in cache._entries if key[:2] == (path, query.encode())], url


def test_errors_are_not_cached(client):
    cache = _cache_of(client)
    client.get("/v1/goals/Q77")
    assert not [key for key in cache._entries if key[0] == "/v1/goals/Q77"]


def _etag_app(settings, engine) -> FastAPI:
    """A stand-alone app behind the real cache, with an ETag and a no-store route."""
    application = create_app(settings)

    @application.get("/v1/cache-probe/{name}")
    def probe(name: str) -> Response:
        body = f'{{"name": "{name}"}}'.encode()
        return Response(
            body,
            media_type="application/json",
            headers={"ETag": '"' + hashlib.sha256(body).hexdigest()[:16] + '"'},
        )

    @application.get("/v1/cache-probe-private")
    def private() -> Response:
        return Response(b"{}", media_type="application/json", headers={"Cache-Control": "no-store"})

    return application


def test_if_none_match_gets_304_from_the_cached_etag(engine, settings):
    with TestClient(_etag_app(settings, engine)) as client:
        first = client.get("/v1/cache-probe/a")
        etag = first.headers["ETag"]
        revalidated = client.get("/v1/cache-probe/a", headers={"If-None-Match": etag})
        assert revalidated.status_code == 304
        assert revalidated.content == b""
        assert revalidated.headers["ETag"] == etag
        assert (
            "content-length" not in revalidated.headers
            or revalidated.headers["content-length"] == "0"
        )
        assert "API-Version" in revalidated.headers
        weak = client.get("/v1/cache-probe/a", headers={"If-None-Match": f'"x", W/{etag}'})
        assert weak.status_code == 304
        other = client.get("/v1/cache-probe/a", headers={"If-None-Match": '"other"'})
        assert other.status_code == 200 and other.content == first.content
        # A conditional first request (a miss) is answered with 304 as well.
        fresh = client.get("/v1/cache-probe/b")
        miss = client.get(
            "/v1/cache-probe/c",
            headers={
                "If-None-Match": fresh.headers["ETag"].replace(
                    hashlib.sha256(b'{"name": "b"}').hexdigest()[:16],
                    hashlib.sha256(b'{"name": "c"}').hexdigest()[:16],
                )
            },
        )
        assert miss.status_code == 304


def test_no_store_answers_are_never_cached(engine, settings):
    with TestClient(_etag_app(settings, engine)) as client:
        client.get("/v1/cache-probe-private")
        client.get("/v1/cache-probe-private")
        assert not [k for k in _cache_of(client)._entries if k[0] == "/v1/cache-probe-private"]


def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used():
    cache = ResponseCache(max_bytes=100)

    def entry(size: int) -> CachedResponse:
        return CachedResponse(1, [], b"x" * size, "/t")

    cache.put(("a",), entry(40))
    cache.put(("b",), entry(40))
    assert cache.get(("a",), 1) is not None  # a is now the most recently used
    cache.put(("c",), entry(40))
    assert cache.get(("b",), 1) is None
    assert cache.get(("a",), 1) is not None and cache.get(("c",), 1) is not None
    assert cache.size_bytes == 80
    cache.put(("huge",), entry(101))
    assert cache.get(("huge",), 1) is None
    # An entry of an older data version is dropped when met.
    assert cache.get(("a",), 2) is None
    assert len(cache) == 1


def test_concurrent_requests_share_version_reads_that_started_after_they_arrived():
    reads: list[int] = []
    first_read_started = threading.Event()
    release_first_read = threading.Event()

    def read(_engine) -> int:
        reads.append(len(reads) + 1)
        if len(reads) == 1:
            first_read_started.set()
            release_first_read.wait(timeout=30)
        return len(reads)

    reader = VersionReader(read)

    async def scenario() -> list[int]:
        first_wave = [asyncio.ensure_future(reader.current(None)) for _ in range(20)]
        while not first_read_started.is_set():
            await asyncio.sleep(0.001)
        # These arrive while the first read runs: they must not use its result.
        second_wave = [asyncio.ensure_future(reader.current(None)) for _ in range(20)]
        await asyncio.sleep(0)
        release_first_read.set()
        return list(await asyncio.gather(*first_wave, *second_wave))

    results = asyncio.run(scenario())
    assert len(reads) == 2
    assert results[:20] == [1] * 20
    assert results[20:] == [2] * 20


def test_a_failing_version_read_reaches_every_waiter_and_the_next_read_retries():
    calls = {"n": 0}

    def read(_engine) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sa.exc.OperationalError("SELECT", {}, Exception("down"))
        return 7

    reader = VersionReader(read)

    async def scenario():
        first = await asyncio.gather(
            *(reader.current(None) for _ in range(3)), return_exceptions=True
        )
        return first, await reader.current(None)

    first, second = asyncio.run(scenario())
    assert all(isinstance(result, sa.exc.OperationalError) for result in first)
    assert second == 7


def test_the_version_read_is_the_databases(engine):
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT version FROM data_version")).scalar_one()
    assert current_version(engine) == stored


@pytest.mark.parametrize(
    ("status", "computations"),
    [
        pytest.param(200, 1, id="simultaneous misses of one key are computed once"),
        pytest.param(404, 8, id="waiters on an uncacheable answer compute their own"),
    ],
)
def test_simultaneous_misses(engine, settings, status, computations):
    """Eight simultaneous requests for one URL; the route holds the first until all arrived."""
    calls: list[str] = []
    release = threading.Event()
    application = create_app(settings)

    @application.get("/v1/cache-probe-slow/{name}")
    def slow(name: str) -> Response:
        calls.append(name)
        release.wait(timeout=10)
        body = f'{{"name": "{name}"}}'.encode()
        return Response(body, status_code=status, media_type="application/json")

    responses: list = [None] * 8
    with TestClient(application) as client:

        def fetch(index: int) -> None:
            responses[index] = client.get("/v1/cache-probe-slow/a")

        threads = [threading.Thread(target=fetch, args=(index,)) for index in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)  # the other seven reach the cache meanwhile
        release.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(calls) == computations
    assert [response.status_code for response in responses] == [status] * 8
    assert {response.content for response in responses} == {b'{"name": "a"}'}


def test_sqlite_version_reads_are_shared_within_one_loop_turn_and_never_stale(tmp_path):
    database = tmp_path / "versions.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE data_version (id INTEGER PRIMARY KEY, version INTEGER)")
        connection.execute("INSERT INTO data_version VALUES (1, 1)")
    reader = SqliteVersionReader(str(database))
    reads = {"n": 0}
    read = reader.current

    def counting_read() -> int:
        reads["n"] += 1
        return read()

    reader.current = counting_read

    def bump() -> None:
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE data_version SET version = version + 1")

    async def scenario() -> tuple[list[int], int]:
        together = await asyncio.gather(*(reader.shared() for _ in range(10)))
        bump()  # committed before the next request arrives: that request must see it
        return together, await reader.shared()

    together, after_write = asyncio.run(scenario())
    assert together == [1] * 10
    assert after_write == 2
    assert reads["n"] == 2


def test_a_failing_shared_sqlite_read_reaches_every_waiter_and_the_next_read_retries(tmp_path):
    database = tmp_path / "unmigrated.db"
    reader = SqliteVersionReader(str(database))

    async def together() -> list:
        return await asyncio.gather(*(reader.shared() for _ in range(5)), return_exceptions=True)

    failures = asyncio.run(together())
    assert all(isinstance(failure, sqlite3.OperationalError) for failure in failures)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE data_version (id INTEGER PRIMARY KEY, version INTEGER)")
        connection.execute("INSERT INTO data_version VALUES (1, 7)")
    assert asyncio.run(together()) == [7] * 5
