"""Bearer API-key authentication for writes. Reads never ask for a key."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.errors import ProblemError
from app.core.rate_limit import WriteLimits
from app.db import SessionDep
from app.services import api_keys

REALM = "coalition-monitor"

bearer_scheme = HTTPBearer(
    scheme_name="apiKey",
    bearerFormat="API key",
    description="An API key created with `coalition-monitor keys create --name <tool>`, sent as "
    "`Authorization: Bearer <key>`. Needed for writes only.",
    auto_error=False,
)


@dataclass(frozen=True)
class Writer:
    """Who is writing: the name of the API key, recorded as the author of what they write."""

    name: str


def _unauthorized(detail: str, *, error: str | None = None) -> ProblemError:
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}"'
    # The detail never repeats the presented key: it may be a real key sent to the wrong place.
    return ProblemError(401, detail, headers={"WWW-Authenticate": challenge})


def require_writer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    session: SessionDep,
) -> Writer:
    """The writer of a valid key; the limits of app/core/rate_limit.py apply on the way."""
    if credentials is None:
        raise _unauthorized("Writing needs an API key: send 'Authorization: Bearer <key>'.")
    settings = request.app.state.settings
    limits: WriteLimits = request.app.state.write_limits
    address = (request.scope.get("client") or ("unknown", 0))[0]
    authentication = limits.take_authentication(session, address, settings.auth_failure_limit)
    record = api_keys.authenticate(session, credentials.credentials)
    if record is None:
        limits.record_failure(session)
        raise _unauthorized("The API key is unknown or revoked.", error="invalid_token")
    # Read before the count commits the session (which expires its rows).
    writer = Writer(name=record.name)
    limits.count_write(session, authentication, record.key_hash, settings.write_rate_limit)
    return writer


WriterDep = Annotated[Writer, Depends(require_writer)]
