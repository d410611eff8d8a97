"""Exports generated once per data version and kept in the database, shared by every worker
and instance.

An export (one representation of one data version, see `artifact_key`) is stored as ordered
chunks (`ExportChunk`), each committed as soon as it is written. Every request streams the
stored chunks (`stream_chunks`); the first request for a key claims it (`claim` inserts its
`ExportArtifact` row) and starts the generation in a thread of its own (`start_generation`),
so that a client that goes away does not stop the generation the others are reading. A
hundred concurrent downloads cost one generation, and the first bytes are sent as soon as the
first chunk is committed. A request holds at most one pooled connection at a time (claim,
snapshot, chunk reads one after the other), so concurrent downloads cannot exhaust the pool
waiting for each other.

The generator renews the artifact's `heartbeat_at` with every chunk (and every few seconds in
between); a request that finds an unfinished artifact whose heartbeat is older than
`STALE_AFTER` takes the generation over (its generator crashed with its process). A reader
that is waiting on such an artifact ends its response early (the client sees a truncated
download and retries). When a generation fails, its artifact is removed, and the next request
generates anew.

Artifacts of older data versions are removed once they have been idle for `KEEP_OLD_FOR`
(long enough for a slow client to finish reading the one it started).
"""

import hashlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import anyio
import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models import ExportArtifact, ExportChunk

logger = logging.getLogger(__name__)

# Every reader holds about two chunks at a time (the one read, the one being sent), so the
# chunk size bounds what a hundred concurrent downloads cost in memory.
CHUNK_BYTES = 128 * 1024
# The first bytes are stored at once; later a chunk is also stored, however small, when this
# much time passed since the last one.
FLUSH_AFTER_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
KEEP_OLD_FOR = timedelta(minutes=15)
# A reader waiting for a chunk looks again after this long, twice as long each time, up to
# the maximum.
POLL_SECONDS = 0.02
MAX_POLL_SECONDS = 0.25
# What `read_chunk` answers for a chunk still to be written.
WAIT = object()


class ExportInterrupted(Exception):
    """The generation a reader waited on failed, stalled or was removed."""


def artifact_key(*parts: object) -> str:
    """The key of an export: a digest of everything that determines its bytes."""
    return hashlib.sha256("\0".join(str(part) for part in parts).encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def start_generation(
    engine: Engine,
    key: str,
    version: int,
    render: Iterator[bytes],
    release: Callable[[], None],
) -> None:
    """Store `render` (the bytes of `key`, which this caller has claimed, read from a snapshot
    at data version `version`) in a thread of its own; `release` ends the snapshot after."""
    thread = threading.Thread(
        target=_generate,
        args=(engine, key, version, render, release),
        name=f"export-{key[:8]}",
        daemon=True,
    )
    thread.start()


def claim(engine: Engine, key: str, version: int) -> bool:
    """True when this caller is to generate `key`: nobody has, or its generator stalled."""
    with Session(engine) as session:
        artifact = session.get(ExportArtifact, key)
        if artifact is None:
            session.add(ExportArtifact(key=key, data_version=version, heartbeat_at=_now()))
            try:
                session.commit()
            except IntegrityError:
                return False  # another request claimed it first
            return True
        if artifact.complete or _aware(artifact.heartbeat_at) > _now() - STALE_AFTER:
            return False
        # Take over from a crashed generator; only one of the requests doing so wins.
        taken = session.execute(
            sa.update(ExportArtifact)
            .where(
                ExportArtifact.key == key,
                ExportArtifact.heartbeat_at == artifact.heartbeat_at,
                ExportArtifact.complete.is_(False),
            )
            .values(heartbeat_at=_now(), chunk_count=0, byte_count=0)
        )
        if taken.rowcount != 1:
            session.rollback()
            return False
        session.execute(sa.delete(ExportChunk).where(ExportChunk.key == key))
        session.commit()
        return True


def _generate(
    engine: Engine,
    key: str,
    version: int,
    render: Iterator[bytes],
    release: Callable[[], None],
) -> None:
    try:
        writer = _ChunkWriter(engine, key)
        for piece in render:
            writer.add(piece)
        writer.finish()
    except Exception:
        logger.exception("export generation failed", extra={"export_key": key})
        forget(engine, key)
        return
    finally:
        release()
    prune(engine, version)


class _ChunkWriter:
    def __init__(self, engine: Engine, key: str) -> None:
        self.engine = engine
        self.key = key
        self.buffer = bytearray()
        self.seq = 0
        self.byte_count = 0
        self.last_store = self.last_beat = time.monotonic()

    def add(self, piece: bytes) -> None:
        self.buffer += piece
        while len(self.buffer) >= CHUNK_BYTES:
            self._store(complete=False)
        now = time.monotonic()
        if self.buffer and (self.seq == 0 or now - self.last_store >= FLUSH_AFTER_SECONDS):
            self._store(complete=False)  # the first bytes at once, then at least this often
        elif now - self.last_beat >= HEARTBEAT_SECONDS:
            self._update(complete=False)

    def finish(self) -> None:
        while self.buffer:
            self._store(complete=False)
        self._store(complete=True)

    def _store(self, complete: bool) -> None:
        """Store up to CHUNK_BYTES of the buffer as the next chunk (none when it is empty)."""
        data = bytes(self.buffer[:CHUNK_BYTES])
        with self.engine.begin() as connection:
            if data:
                chunk = {"key": self.key, "seq": self.seq, "data": data}
                connection.execute(sa.insert(ExportChunk).values(**chunk))
                self.seq += 1
                self.byte_count += len(data)
            self._update(complete, connection)
        del self.buffer[: len(data)]
        self.last_store = time.monotonic()

    def _update(self, complete: bool, connection: sa.Connection | None = None) -> None:
        statement = (
            sa.update(ExportArtifact)
            .where(ExportArtifact.key == self.key)
            .values(
                chunk_count=self.seq,
                byte_count=self.byte_count,
                complete=complete,
                heartbeat_at=_now(),
            )
        )
        if connection is None:
            with self.engine.begin() as own:
                own.execute(statement)
        else:
            connection.execute(statement)
        self.last_beat = time.monotonic()


def forget(engine: Engine, key: str) -> None:
    """Remove `key` (a failed or abandoned generation); its readers stop."""
    with engine.begin() as connection:
        connection.execute(sa.delete(ExportChunk).where(ExportChunk.key == key))
        connection.execute(sa.delete(ExportArtifact).where(ExportArtifact.key == key))


def prune(engine: Engine, version: int) -> None:
    """Remove the artifacts of data versions before `version` that have been idle a while."""
    with engine.begin() as connection:
        old = sa.select(ExportArtifact.key).where(
            ExportArtifact.data_version < version,
            ExportArtifact.heartbeat_at < _now() - KEEP_OLD_FOR,
        )
        connection.execute(sa.delete(ExportChunk).where(ExportChunk.key.in_(old)))
        connection.execute(sa.delete(ExportArtifact).where(ExportArtifact.key.in_(old)))


def read_chunk(engine: Engine, key: str, seq: int) -> bytes | object | None:
    """Chunk `seq` of `key`; `WAIT` when it is still to be written; None after the last one.
    Raises ExportInterrupted when the generation failed or stalled."""
    with engine.connect() as connection:
        data = connection.execute(
            sa.select(ExportChunk.data).where(ExportChunk.key == key, ExportChunk.seq == seq)
        ).scalar()
        if data is not None:
            return data
        state = connection.execute(
            sa.select(
                ExportArtifact.complete, ExportArtifact.chunk_count, ExportArtifact.heartbeat_at
            ).where(ExportArtifact.key == key)
        ).first()
    if state is None:
        raise ExportInterrupted(key)
    complete, chunk_count, heartbeat_at = state
    if complete and seq >= chunk_count:
        return None
    if complete:
        return WAIT  # written after our first look
    if _aware(heartbeat_at) < _now() - STALE_AFTER:
        raise ExportInterrupted(key)
    return WAIT


def read_chunks(engine: Engine, key: str) -> Iterator[bytes]:
    """The stored bytes of `key`, chunk by chunk, waiting for the chunks still being written."""
    seq, pause = 0, POLL_SECONDS
    while (data := read_chunk(engine, key, seq)) is not None:
        if data is WAIT:
            time.sleep(pause)
            pause = min(pause * 2, MAX_POLL_SECONDS)
            continue
        yield data
        seq, pause = seq + 1, POLL_SECONDS


async def stream_chunks(engine: Engine, key: str) -> AsyncIterator[bytes]:
    """`read_chunks` for the event loop: each read in a worker thread, each wait on the loop
    (a hundred clients waiting for one generation must not hold a hundred threads)."""
    seq, pause = 0, POLL_SECONDS
    while (data := await anyio.to_thread.run_sync(read_chunk, engine, key, seq)) is not None:
        if data is WAIT:
            await anyio.sleep(pause)
            pause = min(pause * 2, MAX_POLL_SECONDS)
            continue
        yield data
        seq, pause = seq + 1, POLL_SECONDS
