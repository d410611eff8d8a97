"""Limits on writing, checked while a write is authenticated (app/api/security.py), each
answered with 429 and `Retry-After`. Reads are never limited here.

- Valid keys: at most `WRITE_RATE_LIMIT` writes per key (identified by the stored digest).
- Failed authentications (an unknown or revoked key): at most `AUTH_FAILURE_LIMIT` per client
  address; beyond it the address is refused before any key it presents is checked, so guessing
  keys is slow and a guess learns nothing while the address waits.

A request without any key is always 401 and counts for neither: nobody is writing, and nobody
is guessing. Limits are checked only after authentication can tell a valid key from an
invalid one, so an unknown key never uses up (or learns about) a real key's budget.

The counters live in the database (`rate_limit_counter`), so every worker and every instance
counts against one budget: a limit means the same with one instance or five. Each is a fixed
window, as the `limits` library's fixed-window strategy: it starts at the first hit and lasts
the limit's period; one statement (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`) counts a
hit and answers the new count, so two instances can never both take the last slot. Time is the
database's clock, the one clock every instance shares.

Every key a request presents first takes one of its address's failed authentications; a valid
key gives it back. So concurrent guesses from one address cannot check more keys than the limit
allows. The counts are committed before the write itself begins: a write that then fails has
counted, and no counter stays locked while a write runs.
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.errors import ProblemError

# Expired counters are deleted at most this often per process (a counter that is hit again is
# simply restarted in place).
PRUNE_INTERVAL_SECONDS = 60.0

_NOW = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS DOUBLE PRECISION)",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}

_HIT = """
INSERT INTO rate_limit_counter AS counter (key, hits, expires_at)
VALUES (:key, 1, {now} + :period)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN counter.expires_at > {now} THEN counter.hits + 1 ELSE 1 END,
    expires_at = CASE WHEN counter.expires_at > {now} THEN counter.expires_at
        ELSE {now} + :period END
RETURNING hits, expires_at, expires_at - {now}
"""

# Only the window that took the hit gives it back.
_GIVE_BACK = (
    "UPDATE rate_limit_counter SET hits = hits - 1 "
    "WHERE key = :key AND expires_at = :expires_at AND hits > 0"
)

# SKIP LOCKED: pruning never waits for a counter being hit, so concurrent prunes cannot
# deadlock. SQLite serialises writers and has no row locks.
_PRUNE = {
    "postgresql": "DELETE FROM rate_limit_counter WHERE key IN (SELECT key FROM "
    "rate_limit_counter WHERE expires_at <= {now} FOR UPDATE SKIP LOCKED)",
    "sqlite": "DELETE FROM rate_limit_counter WHERE expires_at <= {now}",
}


@dataclass(frozen=True)
class Hit:
    """One counted hit: its counter, the end of the window it fell in, and the answer."""

    key: str
    expires_at: float
    admitted: bool
    retry_after: int


class WriteLimits:
    def __init__(self) -> None:
        self._parsed: dict[str, RateLimitItem] = {}
        self._pruned_at = -math.inf

    def _limit(self, notation: str) -> RateLimitItem:
        # Settings are known only at startup (never at import), so parse on first use.
        item = self._parsed.get(notation)
        if item is None:
            item = self._parsed[notation] = parse(notation)
        return item

    def take_authentication(self, session: Session, address: str, failure_limit: str) -> Hit:
        """Takes one of `address`'s failed authentications before its key is checked; 429 when
        the address has none left."""
        limit = self._limit(failure_limit)
        hit = self._hit(session, limit, "failures", address)
        if not hit.admitted:
            self._commit(session)
            raise _too_many(
                hit, f"Too many failed authentications from this address: at most {limit}."
            )
        return hit

    def record_failure(self, session: Session) -> None:
        """The key was unknown or revoked: the authentication taken stays a failure."""
        self._commit(session)

    def count_write(
        self, session: Session, authentication: Hit, key_digest: str, write_limit: str
    ) -> None:
        """The key was valid: gives the authentication back and counts one write of this key;
        429 when it is one too many."""
        session.execute(
            text(_GIVE_BACK), {"key": authentication.key, "expires_at": authentication.expires_at}
        )
        limit = self._limit(write_limit)
        hit = self._hit(session, limit, "writes", key_digest)
        self._commit(session)
        if not hit.admitted:
            raise _too_many(hit, f"Too many writes with this API key: at most {limit}.")

    def _hit(self, session: Session, limit: RateLimitItem, scope: str, identity: str) -> Hit:
        key = limit.key_for(scope, identity)
        statement = _HIT.format(now=_NOW[_dialect(session)])
        hits, expires_at, remaining = session.execute(
            text(statement), {"key": key, "period": limit.get_expiry()}
        ).one()
        return Hit(
            key=key,
            expires_at=expires_at,
            admitted=hits <= limit.amount,
            retry_after=max(1, math.ceil(remaining)),
        )

    def _commit(self, session: Session) -> None:
        now = time.monotonic()
        if now - self._pruned_at >= PRUNE_INTERVAL_SECONDS:
            self._pruned_at = now
            dialect = _dialect(session)
            session.execute(text(_PRUNE[dialect].format(now=_NOW[dialect])))
        session.commit()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _too_many(hit: Hit, what: str) -> ProblemError:
    return ProblemError(
        429,
        f"{what} Retry after {hit.retry_after} seconds.",
        headers={"Retry-After": str(hit.retry_after)},
    )
