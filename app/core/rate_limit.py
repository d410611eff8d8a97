"""Writes are rate-limited per API key (`WRITE_RATE_LIMIT`, e.g. `120/minute`); the excess gets
429 with `Retry-After`. Reads are never limited here.

The key's identity is the SHA-256 digest of the presented bearer key, the same digest the
api_key table stores (app/services/api_keys.py), so the limit follows the key without a
database lookup and also slows down anyone trying keys. Writes without a key count per client
address. The moving-window counters (the `limits` library) live in each worker process: with N
workers a key may write up to N times the limit, which the README states.
"""

import math
import time
from collections.abc import Callable

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import problem_response
from app.services.api_keys import hash_key

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# How a request names who is writing; a different scheme only needs another function.
Identify = Callable[[Scope], str]


def api_key_identity(scope: Scope) -> str:
    authorization = Headers(scope=scope).get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return "key:" + hash_key(credentials.strip())
    client = scope.get("client") or ("unknown", 0)
    return f"address:{client[0]}"


class WriteRateLimitMiddleware:
    def __init__(self, app: ASGIApp, identify: Identify = api_key_identity) -> None:
        self.app = app
        self.identify = identify
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits: dict[str, RateLimitItem] = {}

    def _limit(self, notation: str) -> RateLimitItem:
        # Settings are known only at startup (never at import), so parse on first use.
        item = self._limits.get(notation)
        if item is None:
            item = self._limits[notation] = parse(notation)
        return item

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["app"].state.settings.write_rate_limit)
        identity = self.identify(scope)
        if self._limiter.hit(limit, identity):
            await self.app(scope, receive, send)
            return
        reset_at = self._limiter.get_window_stats(limit, identity).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        response = problem_response(
            Request(scope),
            429,
            f"Too many writes with this API key: at most {limit}. "
            f"Retry after {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
