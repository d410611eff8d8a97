"""What the Dutch API Design Rules ask of the OpenAPI document beyond FastAPI's output:
`info.contact` (name, url, email) and a `servers` entry ending in the major version, with the
paths relative to it (`/goals` under the server `/v1`, so clients build `/v1/goals`)."""

import base64
import functools
import hashlib
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.publisher import CONTACT_EMAIL, CONTACT_NAME, CONTACT_URL

API_PREFIX = "/v1"


def apply_design_rules(document: dict[str, Any]) -> None:
    document["info"]["contact"] = {"name": CONTACT_NAME, "url": CONTACT_URL, "email": CONTACT_EMAIL}
    document["servers"] = [
        {
            "url": API_PREFIX,
            "description": "This API, version 1, on the host serving this document.",
        }
    ]
    paths = document.get("paths", {})
    outside = [path for path in paths if not (path + "/").startswith(API_PREFIX + "/")]
    if outside:
        raise ValueError(f"documented paths outside {API_PREFIX}: {outside}")
    document["paths"] = {
        (path.removeprefix(API_PREFIX) or "/"): item for path, item in paths.items()
    }


# --- a Content-Security-Policy for the documentation pages --------------------------------

DOCS_PATHS = ("/docs", "/redoc")
REDOC_BUNDLE_PATH = "/static-offline-docs/redoc.standalone.js"
# ReDoc's attribution badge loads its logo from a CDN (refused by the policy below, one console
# error per page): the bundle is served with an empty inline image in its place.
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@functools.cache
def redoc_bundle() -> bytes:
    bundle = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
    return bundle.read_bytes().replace(_REDOC_CDN_LOGO, _EMPTY_IMAGE)


_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_content_security_policy(html: bytes) -> str:
    """Everything from this origin; inline scripts only by the hash of the ones we serve."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; ".replace("  ", " ")
        + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; worker-src 'self' blob:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


class DocsSecurityMiddleware:
    """Adds the Content-Security-Policy to /docs and /redoc (their assets are served from here,
    see fastapi-offline; nothing is loaded from a CDN)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == REDOC_BUNDLE_PATH:
            response = Response(redoc_bundle(), media_type="text/javascript")
            await response(scope, receive, send)
            return
        if scope["type"] != "http" or scope["path"] not in DOCS_PATHS:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def with_policy(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                headers = MutableHeaders(scope=start)
                headers["Content-Security-Policy"] = docs_content_security_policy(body)
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, with_policy)
