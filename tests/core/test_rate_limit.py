"""app/core/rate_limit.py: the write limits count in the database, so every instance counts
against one budget. First the counters themselves on the module's writable database, then two
real server processes (granian) on that one database, as a load balancer would run them.
(Their order during authentication: tests/security/test_authentication_limits.py.)"""

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from itertools import cycle

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import ProblemError
from app.core.rate_limit import WriteLimits
from app.services import api_keys
from tests.servers import running_granian

LIMIT = 5
WRITE = "/v1/goals/A1/statuses"
# Invalid on purpose: a write that passes authentication and the limits is then a 400, and
# nothing is stored.
INVALID_BODY = {"text": ""}


def _counters(engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT key, hits FROM rate_limit_counter"))
        return {key: hits for key, hits in rows}


def _write(limits: WriteLimits, engine, digest: str, limit: str, address: str = "10.0.0.9"):
    with Session(engine) as session:
        taken = limits.take_authentication(session, address, "100/minute")
        limits.count_write(session, taken, digest, limit)


def test_a_key_gets_its_own_budget_of_writes(writable_engine):
    limits = WriteLimits()
    for _ in range(2):
        _write(limits, writable_engine, "digest-a", "2/minute")
    with pytest.raises(ProblemError) as refused:
        _write(limits, writable_engine, "digest-a", "2/minute")
    assert refused.value.status == 429
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    _write(limits, writable_engine, "digest-b", "2/minute")


def test_every_process_counts_against_the_same_budget(writable_engine):
    first, second = WriteLimits(), WriteLimits()
    _write(first, writable_engine, "digest-shared", "2/minute")
    _write(second, writable_engine, "digest-shared", "2/minute")
    with pytest.raises(ProblemError):
        _write(first, writable_engine, "digest-shared", "2/minute")


def test_an_address_is_locked_out_only_after_its_failures(writable_engine):
    limits = WriteLimits()
    # Valid keys give their authentication back: any number of them never locks an address out.
    for _ in range(3):
        _write(limits, writable_engine, "digest-c", "100/minute", address="10.0.0.1")
    for _ in range(2):
        with Session(writable_engine) as session:
            limits.take_authentication(session, "10.0.0.1", "2/minute")
            limits.record_failure(session)
    with Session(writable_engine) as session, pytest.raises(ProblemError) as refused:
        limits.take_authentication(session, "10.0.0.1", "2/minute")
    assert refused.value.status == 429
    with Session(writable_engine) as session:
        limits.take_authentication(session, "10.0.0.2", "2/minute")


def test_an_expired_window_starts_again_and_expired_counters_are_pruned(writable_engine):
    limits = WriteLimits()
    for _ in range(2):
        _write(limits, writable_engine, "digest-d", "2/minute")
    # Both windows (the key's and a forgotten address's) ended long ago.
    with writable_engine.begin() as connection:
        connection.execute(sa.text("UPDATE rate_limit_counter SET expires_at = 1"))
        connection.execute(
            sa.text(
                "INSERT INTO rate_limit_counter (key, hits, expires_at) "
                "VALUES ('LIMITER/failures/10.9.9.9/2/1/minute', 2, 1)"
            )
        )
    # A process prunes at its first count, then once a minute.
    _write(WriteLimits(), writable_engine, "digest-d", "2/minute")
    assert _counters(writable_engine) == {
        "LIMITER/writes/digest-d/2/1/minute": 1,
        "LIMITER/failures/10.0.0.9/100/1/minute": 0,
    }


# --- two instances on one database, through HTTP ------------------------------------------


@pytest.fixture(scope="module")
def instances(writable_settings, tmp_path_factory) -> Iterator[tuple[str, str]]:
    environment = {
        "DATABASE_URL": writable_settings.database_url,
        "WRITE_RATE_LIMIT": f"{LIMIT}/minute",
        "AUTH_FAILURE_LIMIT": f"{LIMIT}/minute",
        "REQUEST_LOG": "false",
        # The default: X-Forwarded-For from the local test client names the client's address.
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    logs = tmp_path_factory.mktemp("limit-instances")
    with ExitStack() as stack:
        yield tuple(
            stack.enter_context(running_granian(environment, logs / f"instance-{number}.log"))
            for number in (1, 2)
        )


@pytest.fixture
def fresh_key(writable_engine) -> str:
    with Session(writable_engine) as session:
        return api_keys.create_key(session, f"limited-{secrets.token_hex(4)}").secret


def _address() -> str:
    return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


def _post(base: str, key: str, address: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", "X-Forwarded-For": address}
    return httpx.post(base + WRITE, json=INVALID_BODY, headers=headers, timeout=30)


def _assert_too_many(response: httpx.Response, what: str) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert what in response.json()["detail"]


def test_the_write_after_the_limit_is_refused_whichever_instance_gets_it(instances, fresh_key):
    for number, base in zip(range(LIMIT), cycle(instances)):
        # Each from its own address: only the key's budget is at stake.
        answer = _post(base, fresh_key, _address())
        assert answer.status_code == 400, (number, answer.text)
    for base in instances:
        _assert_too_many(_post(base, fresh_key, _address()), "this API key")


def test_failed_authentications_lock_the_address_out_of_every_instance(instances, fresh_key):
    guesser = _address()
    for base, _ in zip(cycle(instances), range(LIMIT)):
        guess = "cmk_" + secrets.token_urlsafe(32)
        assert _post(base, guess, guesser).status_code == 401
    for base in instances:
        # The valid key too: a lucky guess cannot be told from a wrong one.
        _assert_too_many(_post(base, fresh_key, guesser), "failed authentications")
    assert _post(instances[0], fresh_key, _address()).status_code == 400


def _concurrently(instances, key_for_request, address_for_request, requests: int) -> list[int]:
    targets = [instances[number % 2] for number in range(requests)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = pool.map(
            lambda number: _post(
                targets[number], key_for_request(number), address_for_request(number)
            ),
            range(requests),
        )
        return sorted(answer.status_code for answer in answers)


def test_concurrent_writes_to_both_instances_never_pass_the_limit(instances, fresh_key):
    statuses = _concurrently(instances, lambda _: fresh_key, lambda _: _address(), requests=30)
    assert statuses == [400] * LIMIT + [429] * (30 - LIMIT)


def test_concurrent_guesses_to_both_instances_never_check_more_keys_than_the_limit(instances):
    guesser = _address()
    statuses = _concurrently(
        instances, lambda _: "cmk_" + secrets.token_urlsafe(32), lambda _: guesser, requests=30
    )
    assert statuses == [401] * LIMIT + [429] * (30 - LIMIT)
