"""API keys for municipal tools that write: create (shown once), list, revoke, authenticate.

Only the SHA-256 digest of a key is stored. A key is 32 random bytes from `secrets`, so a fast
digest is enough: nobody can guess a 256-bit key from its digest, and a slow password hash
(argon2, bcrypt) would only matter for low-entropy secrets that people choose themselves.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import ApiKey
from app.services.write_support import utc_now

KEY_PREFIX = "cmk_"
# Key names become the author of what a tool writes: short and readable, no spaces or colons
# (imports are authored "import:<file>", which no key name can collide with).
KEY_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# Longer presented keys cannot be ours; refuse them before hashing.
MAX_KEY_LENGTH = 200


class ApiKeyError(Exception):
    """A key operation that cannot be done (bad name, duplicate name, unknown key)."""


@dataclass
class CreatedKey:
    record: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str) -> CreatedKey:
    if not KEY_NAME_PATTERN.fullmatch(name):
        raise ApiKeyError(
            f"invalid key name {name!r}: use 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if session.exec(select(ApiKey).where(ApiKey.name == name)).first() is not None:
        raise ApiKeyError(f"a key named {name!r} already exists (names are never reused)")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(name=name, key_hash=hash_key(secret), created_at=utc_now())
    session.add(record)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ApiKeyError(f"a key named {name!r} already exists") from error
    session.refresh(record)
    return CreatedKey(record=record, secret=secret)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def revoke_key(session: Session, name: str) -> ApiKey:
    record = session.exec(select(ApiKey).where(ApiKey.name == name)).first()
    if record is None:
        raise ApiKeyError(f"no key named {name!r}")
    if record.revoked_at is None:
        record.revoked_at = utc_now()
        session.add(record)
        session.commit()
        session.refresh(record)
    return record


def authenticate(session: Session, secret: str) -> ApiKey | None:
    """The active key with this secret, or None (unknown, malformed or revoked)."""
    if not secret or len(secret) > MAX_KEY_LENGTH:
        return None
    return session.exec(
        select(ApiKey).where(ApiKey.key_hash == hash_key(secret), ApiKey.revoked_at.is_(None))
    ).first()
