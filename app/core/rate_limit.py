"""Limits on writing, checked while a write is authenticated (app/api/security.py), each
answered with 429 and `Retry-After`. Reads are never limited here.

- Valid keys: at most `WRITE_RATE_LIMIT` writes per key (identified by the stored digest).
- Failed authentications (an unknown or revoked key): at most `AUTH_FAILURE_LIMIT` per client
  address; beyond it the address is refused before any key it presents is checked, so guessing
  keys is slow and a guess learns nothing while the address waits.

A request without any key is always 401 and counts for neither: nobody is writing, and nobody
is guessing. Limits are checked only after authentication can tell a valid key from an
invalid one, so an unknown key never uses up (or learns about) a real key's budget.

The moving-window counters (the `limits` library) live in each worker process: with N workers
a key may write up to N times the limit, which the README states.
"""

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.core.errors import ProblemError


class WriteLimits:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._parsed: dict[str, RateLimitItem] = {}

    def _limit(self, notation: str) -> RateLimitItem:
        # Settings are known only at startup (never at import), so parse on first use.
        item = self._parsed.get(notation)
        if item is None:
            item = self._parsed[notation] = parse(notation)
        return item

    def refuse_locked_out_address(self, address: str, failure_limit: str) -> None:
        """429 while `address` has used up its failed authentications."""
        limit = self._limit(failure_limit)
        if not self._limiter.test(limit, "failures", address):
            raise self._too_many(
                limit,
                ("failures", address),
                f"Too many failed authentications from this address: at most {limit}.",
            )

    def record_failure(self, address: str, failure_limit: str) -> None:
        self._limiter.hit(self._limit(failure_limit), "failures", address)

    def count_write(self, key_digest: str, write_limit: str) -> None:
        """Counts one write of this key; 429 when it is one too many."""
        limit = self._limit(write_limit)
        if not self._limiter.hit(limit, "writes", key_digest):
            raise self._too_many(
                limit,
                ("writes", key_digest),
                f"Too many writes with this API key: at most {limit}.",
            )

    def _too_many(self, limit: RateLimitItem, identity: tuple[str, str], what: str) -> ProblemError:
        reset_at = self._limiter.get_window_stats(limit, *identity).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        return ProblemError(
            429,
            f"{what} Retry after {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
