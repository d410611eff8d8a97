"""Entity tags and the conditional requests that name them (RFC 9110, section 13).

`If-None-Match` compares weakly (`W/"x"` names `"x"` too), `If-Match` strongly (a weak tag never
matches); `*` matches any current representation in both, and both take lists. A 304 carries
the validators of the representation but none of the headers that describe a body.
"""

import hashlib

from starlette.types import Message

# Headers a 304 must not carry: it has no body (RFC 9110, section 15.4.5).
_BODY_HEADERS = frozenset({b"content-length", b"content-type", b"content-disposition"})


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def version_etag(*parts: object, weak: bool = False) -> str:
    """An ETag for bytes determined by `parts` (a data version among them), known before the
    first byte is written. Strong only when the same parts always give the same bytes."""
    digest = hashlib.sha256("\0".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return ("W/" if weak else "") + '"' + digest + '"'


def _listed_tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def if_none_match_matches(header: str, etag: str) -> bool:
    """Weak comparison of each listed tag with our ETag; `*` matches any current representation."""
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in _listed_tags(header))


def if_match_matches(header: str, etag: str | None) -> bool:
    """Strong comparison against the current ETag (None: nothing is current, so nothing
    matches, not even `*`); a weak tag (`W/"..."`) never matches."""
    if etag is None:
        return False
    tags = _listed_tags(header)
    return "*" in tags or etag in tags


def not_modified(headers: list[tuple[bytes, bytes]]) -> Message:
    """The start of a 304 for a 200 with these headers (lower-case names, as ASGI has them)."""
    kept = [(name, value) for name, value in headers if name not in _BODY_HEADERS]
    return {"type": "http.response.start", "status": 304, "headers": kept}
