"""The write limits themselves (their use during authentication: tests/security/)."""

import pytest

from app.core.errors import ProblemError
from app.core.rate_limit import WriteLimits


def test_a_key_gets_its_own_budget_of_writes():
    limits = WriteLimits()
    for _ in range(2):
        limits.count_write("digest-a", "2/minute")
    with pytest.raises(ProblemError) as refused:
        limits.count_write("digest-a", "2/minute")
    assert refused.value.status == 429
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    limits.count_write("digest-b", "2/minute")


def test_an_address_is_locked_out_only_after_its_failures():
    limits = WriteLimits()
    limits.refuse_locked_out_address("10.0.0.1", "2/minute")
    for _ in range(2):
        limits.record_failure("10.0.0.1", "2/minute")
    with pytest.raises(ProblemError) as refused:
        limits.refuse_locked_out_address("10.0.0.1", "2/minute")
    assert refused.value.status == 429
    limits.refuse_locked_out_address("10.0.0.2", "2/minute")
