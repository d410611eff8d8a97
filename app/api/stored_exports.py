"""Answers read from the export store (app/services/export_store.py): the export and the
table downloads, generated once per data version and streamed to every client from there.

Their strong ETag derives from what determines the bytes (release, representation, data
version, public base URL), not from the bytes, so it is known before the first byte is written
and a conditional request is answered without generating anything: the bytes of one data
version are always the same (deterministic order, `generatedAt` derived from the data, fixed
ZIP timestamps), so equal ETags mean equal bytes, as a strong validator must."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack

from fastapi import Request
from starlette.responses import Response, StreamingResponse

from app import __version__
from app.core.caching import not_modified_response
from app.core.data_version import current_version
from app.core.errors import ProblemError
from app.core.etags import version_etag
from app.core.observability import EXPORT_GENERATIONS
from app.services import export, export_store

# Writes that may land between reading the data version and opening the snapshot to generate
# it before the request gives up (503).
ATTEMPTS = 5


def stored_response(
    request: Request,
    representation: str,
    render: Callable[[export.Dataset], Iterator[bytes]],
    media_type: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """`render` of the current data, from the store (generated there first if need be).
    `representation` names what `render` writes (with the data version: the bytes)."""
    engine = request.app.state.engine
    base = request.app.state.settings.base_url
    for _ in range(ATTEMPTS):
        version = current_version(engine)
        parts = (__version__, representation, version, base)
        etag = version_etag("export", *parts)
        unchanged = not_modified_response(request, etag)
        if unchanged is not None:
            return unchanged
        key = export_store.artifact_key(*parts)
        if export_store.claim(engine, key, version) and not _generate(
            engine, key, version, representation, render
        ):
            continue  # a write came first: the claimed version can no longer be read
        return StreamingResponse(
            export_store.stream_chunks(engine, key),
            media_type=media_type,
            headers={"ETag": etag, **(headers or {})},
        )
    raise ProblemError(503, "The data is changing too fast to export; retry later.")


def _generate(engine, key: str, version: int, representation: str, render) -> bool:
    """Start generating the claimed `key` from a snapshot; False (claim dropped) when the
    snapshot reads another data version than the one claimed."""
    with ExitStack() as stack:
        dataset = export.stream_dataset(stack.enter_context(export.snapshot(engine)))
        if dataset.data_version != version:
            stack.close()
            export_store.forget(engine, key)
            return False
        export_store.start_generation(engine, key, version, render(dataset), stack.pop_all().close)
    EXPORT_GENERATIONS.labels(representation).inc()
    return True
