"""Receiving a JSON request body safely: media type (415) and size (413). The services parse
and validate it (with pydantic, in JSON mode), so that every problem is reported at once.

The size limit is enforced on the bytes actually received, not only on `Content-Length`, which
a client may omit (chunked transfer) or understate.
"""

from fastapi import Request

from app.core.errors import ProblemError

JSON_MEDIA_TYPES = ("application/json",)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


async def read_json_body(request: Request) -> bytes:
    """FastAPI dependency: the raw bytes of a JSON request body."""
    media_type = _media_type(request.headers.get("content-type"))
    if media_type not in JSON_MEDIA_TYPES:
        raise ProblemError(
            415,
            f"Send the body as application/json (got {media_type or 'no Content-Type'}).",
        )
    limit: int = request.app.state.settings.max_request_body_bytes
    too_large = ProblemError(413, f"The request body is larger than {limit} bytes.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    received = bytearray()
    async for chunk in request.stream():
        received.extend(chunk)
        if len(received) > limit:
            raise too_large
    return bytes(received)
