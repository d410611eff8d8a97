"""app/services/export_store.py: exports stored in chunks, generated once, read while they are
written, taken over from a crashed generator, removed when they fail or grow old."""

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.models import ExportArtifact, ExportChunk
from app.services import export_store
from app.services.export_store import ExportInterrupted


def _key() -> str:
    return export_store.artifact_key("test", uuid.uuid4())


class Snapshot:
    """Stands in for the read snapshot a generation holds: counts its releases."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def release(self) -> None:
        self.released.set()


def _generate(engine, key: str, render, snapshot: Snapshot) -> bool:
    """What a request does: claim the key, and generate it if the claim succeeded."""
    if not export_store.claim(engine, key, 1):
        snapshot.release()
        return False
    export_store.start_generation(engine, key, 1, iter(render), snapshot.release)
    return True


def _pieces(count: int, size: int = 10_000) -> list[bytes]:
    return [bytes([number % 251]) * size for number in range(count)]


def test_an_export_is_stored_in_chunks_and_read_back_whole(writable_engine):
    key, snapshot = _key(), Snapshot()
    pieces = [*_pieces(50), b"z" * (3 * export_store.CHUNK_BYTES)]  # several chunks

    assert _generate(writable_engine, key, iter(pieces), snapshot)
    assert b"".join(export_store.read_chunks(writable_engine, key)) == b"".join(pieces)
    assert snapshot.released.wait(10)
    with Session(writable_engine) as session:
        artifact = session.get(ExportArtifact, key)
        assert artifact.complete
        assert artifact.byte_count == len(b"".join(pieces))
        assert artifact.chunk_count > 4
    with Session(writable_engine) as session:
        sizes = session.scalars(
            sa.select(sa.func.length(ExportChunk.data)).where(ExportChunk.key == key)
        ).all()
    assert max(sizes) <= export_store.CHUNK_BYTES  # a large piece is split


def test_a_second_request_reads_the_generation_under_way_instead_of_generating(writable_engine):
    key, first, second = _key(), Snapshot(), Snapshot()
    go_on = threading.Event()

    def slow() -> object:
        yield b"a" * 1000  # the first bytes are stored at once
        go_on.wait(10)
        yield b"b" * 1000

    assert _generate(writable_engine, key, slow(), first)
    assert not _generate(writable_engine, key, iter([b"x"]), second)
    assert second.released.is_set()  # not needed: released at once
    reader = export_store.read_chunks(writable_engine, key)
    assert next(reader) == b"a" * 1000  # before the end
    go_on.set()
    assert b"".join(reader) == b"b" * 1000


def test_a_crashed_generation_is_taken_over(writable_engine):
    key, snapshot = _key(), Snapshot()
    stale = export_store._now() - export_store.STALE_AFTER - timedelta(seconds=1)
    with Session(writable_engine) as session:
        session.add(ExportArtifact(key=key, data_version=1, heartbeat_at=stale, chunk_count=1))
        session.commit()
        session.add(ExportChunk(key=key, seq=0, data=b"half of a crashed gener"))
        session.commit()
    with pytest.raises(ExportInterrupted):
        list(export_store.read_chunks(writable_engine, key))  # a reader does not wait forever
    assert _generate(writable_engine, key, iter([b"whole"]), snapshot)
    assert b"".join(export_store.read_chunks(writable_engine, key)) == b"whole"


def test_a_live_generation_is_not_taken_over(writable_engine):
    key, snapshot = _key(), Snapshot()
    with Session(writable_engine) as session:
        session.add(ExportArtifact(key=key, data_version=1, heartbeat_at=export_store._now()))
        session.commit()
    assert not _generate(writable_engine, key, iter([b"x"]), snapshot)
    assert snapshot.released.is_set()


def test_a_failed_generation_is_removed_and_its_readers_stop(writable_engine):
    key, snapshot = _key(), Snapshot()

    def failing() -> object:
        yield b"a" * 1000
        raise RuntimeError("the database went away")

    assert _generate(writable_engine, key, failing(), snapshot)
    with pytest.raises(ExportInterrupted):
        list(export_store.read_chunks(writable_engine, key))
    assert snapshot.released.wait(10)
    with Session(writable_engine) as session:
        assert session.get(ExportArtifact, key) is None
        assert session.scalar(sa.select(sa.func.count()).where(ExportChunk.key == key)) == 0
    # The next request generates anew.
    assert _generate(writable_engine, key, iter([b"ok"]), snapshot)
    assert b"".join(export_store.read_chunks(writable_engine, key)) == b"ok"


def test_old_versions_are_pruned_once_idle(writable_engine):
    idle = export_store._now() - export_store.KEEP_OLD_FOR - timedelta(seconds=1)
    keys = {name: _key() for name in ("old idle", "old in use", "current")}
    with Session(writable_engine) as session:
        for name, version, heartbeat in [
            ("old idle", 10, idle),
            ("old in use", 10, export_store._now()),
            ("current", 11, idle),
        ]:
            session.add(
                ExportArtifact(
                    key=keys[name], data_version=version, heartbeat_at=heartbeat, complete=True
                )
            )
        session.commit()
        session.add(ExportChunk(key=keys["old idle"], seq=0, data=b"old"))
        session.commit()
    export_store.prune(writable_engine, 11)
    with Session(writable_engine) as session:
        assert session.get(ExportArtifact, keys["old idle"]) is None
        assert session.get(ExportChunk, (keys["old idle"], 0)) is None
        assert session.get(ExportArtifact, keys["old in use"]) is not None
        assert session.get(ExportArtifact, keys["current"]) is not None
