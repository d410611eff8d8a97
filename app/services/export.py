"""The complete dataset in one consistent read, for the bulk export and the catalogue.

`stream_dataset` reads inside `snapshot` (one read-only transaction that sees one data version,
migration 0004) and presents every list lazily, in bounded batches, so the export is written in
constant memory however large the data grows.

`modified` is when the data last changed: the newest `recordedAt` of a status or measurement,
or replacement of a measurement, else (seed data only) the newest status date of the report.
It is derived from the data rather than the clock, so the same data always gives the same
bytes, and with them the same strong ETag.
"""

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.data_version import read_version
from app.models import Goal, Measurement, MeasurementRevision, Milestone, StatusUpdate, Unit
from app.services import goals, indicators, measurements, milestones, perspectives, targets, units
from app.services.goals import GoalView, StatusView
from app.services.indicators import IndicatorView, MeasurementView, MetricView
from app.services.paging import MAX_PAGE_SIZE, Page
from app.services.perspectives import PerspectiveView
from app.services.targets import TargetView
from app.services.write_support import as_utc

# Where there is no data at all (the earliest date a ZIP file can carry).
NO_DATE = date(1980, 1, 1)
# Rows fetched at a time by the lists read in one query (a server-side cursor on PostgreSQL).
STREAM_BATCH = 1000
# The ZIP's finished bytes are passed on in pieces of at most this size.
ZIP_READ_BYTES = 64 * 1024
# Metrics (and indicators) read at a time: each page loads the figures of the two latest
# periods of its metrics for their trends, and a period can hold many sources.
TREND_PAGE_SIZE = 1


@dataclass
class Dataset:
    """Each list can be iterated more than once (several tables come from one list)."""

    data_version: int
    modified: datetime
    perspectives: Iterable[PerspectiveView]
    goals: Iterable[GoalView]
    statuses: Iterable[StatusView]
    indicators: Iterable[IndicatorView]
    metrics: Iterable[MetricView]
    measurements: Iterable[MeasurementView]
    units: Iterable[Unit]
    milestones: Iterable[Milestone]
    targets: Iterable[TargetView]


class Reread:
    """A list read anew from the database each time it is iterated, never held in memory."""

    def __init__(self, session: Session, read: Callable[[Session], Iterable]) -> None:
        self.session = session
        self.read = read

    def __iter__(self) -> Iterator:
        return iter(self.read(self.session))


def _paged(fetch: Callable[[str | None], Page]) -> Iterator:
    """Every item of a paged collection, one page in memory at a time."""
    cursor = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def data_version(session: Session) -> int:
    return read_version(session.connection())


def last_modified(session: Session) -> datetime:
    moments = session.execute(
        sa.select(
            sa.select(sa.func.max(StatusUpdate.recorded_at)).scalar_subquery(),
            sa.select(sa.func.max(Measurement.recorded_at)).scalar_subquery(),
            sa.select(sa.func.max(MeasurementRevision.replaced_at)).scalar_subquery(),
            _report_date_query().scalar_subquery(),
        )
    ).one()
    *writes, report = moments
    written = [as_utc(moment) for moment in writes if moment is not None]
    if written:
        return max(written)
    return datetime.combine(report or NO_DATE, time(0), tzinfo=UTC)


def _report_date_query() -> sa.Select:
    return sa.select(sa.func.max(StatusUpdate.as_of)).where(StatusUpdate.recorded_at.is_(None))


def report_date(session: Session) -> date:
    """The date of the report the data comes from: its newest status date (the seed's
    entries have no `recordedAt`)."""
    latest = session.execute(_report_date_query()).scalar()
    return latest if latest is not None else NO_DATE


@contextmanager
def snapshot(engine: Engine) -> Iterator[Session]:
    """A session reading one consistent state of the database, whatever commits meanwhile:
    a read-only REPEATABLE READ transaction on PostgreSQL, one read transaction on SQLite (WAL
    keeps its snapshot). The first query fixes the snapshot, so read the data version first."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            # The sqlite3 module opens transactions for writes only; a read must ask.
            connection.exec_driver_sql("BEGIN")
        try:
            with Session(bind=connection) as session:
                yield session
        finally:
            connection.rollback()


def stream_dataset(session: Session) -> Dataset:
    """The dataset as lists read on demand, in bounded batches; use it inside `snapshot`."""
    version = data_version(session)
    lists = {name: Reread(session, read) for name, read in _STREAMS.items()}
    return Dataset(data_version=version, modified=last_modified(session), **lists)


def _goals(session: Session) -> Iterator[GoalView]:
    return _paged(
        lambda cursor: goals.list_goals(
            session,
            perspective=None,
            year=None,
            progress=None,
            page_size=MAX_PAGE_SIZE,
            cursor=cursor,
        )
    )


def _statuses(session: Session) -> Iterator[StatusView]:
    # One query for every history: goals in report order, each history oldest first.
    statuses = session.execute(
        sa.select(StatusUpdate)
        .join(Goal, StatusUpdate.goal_code == Goal.code)
        .order_by(Goal.position, StatusUpdate.as_of, StatusUpdate.id)
        .execution_options(yield_per=STREAM_BATCH)
    ).scalars()
    corrections = goals.all_corrections(session)
    return (StatusView(status, corrections.get(status.id)) for status in statuses)


def _perspectives(session: Session) -> Iterator[PerspectiveView]:
    return _paged(
        lambda cursor: perspectives.list_perspectives(
            session, page_size=MAX_PAGE_SIZE, cursor=cursor
        )
    )


def _indicators(session: Session) -> Iterator[IndicatorView]:
    return _paged(
        lambda cursor: indicators.list_indicators(
            session, perspective=None, year=None, page_size=TREND_PAGE_SIZE, cursor=cursor
        )
    )


def _metrics(session: Session) -> Iterator[MetricView]:
    return _paged(
        lambda cursor: indicators.list_metrics(
            session, perspective=None, indicator=None, page_size=TREND_PAGE_SIZE, cursor=cursor
        )
    )


_STREAMS: dict[str, Callable[[Session], Iterable]] = {
    "perspectives": _perspectives,
    "goals": _goals,
    "statuses": _statuses,
    "indicators": _indicators,
    "metrics": _metrics,
    "measurements": lambda session: measurements.stream_measurements(session, STREAM_BATCH),
    "units": lambda session: _paged(
        lambda cursor: units.list_units(session, page_size=MAX_PAGE_SIZE, cursor=cursor)
    ),
    "milestones": lambda session: _paged(
        lambda cursor: milestones.list_milestones(session, page_size=MAX_PAGE_SIZE, cursor=cursor)
    ),
    "targets": lambda session: _paged(
        lambda cursor: targets.list_targets(session, page_size=MAX_PAGE_SIZE, cursor=cursor)
    ),
}


def _zip_info(name: str, modified: datetime) -> zipfile.ZipInfo:
    stamp = max(modified, datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_of_files(files: dict[str, bytes], modified: datetime) -> bytes:
    """A ZIP with fixed timestamps and order, so the same files give the same bytes."""
    return b"".join(zip_chunks(((name, [content]) for name, content in files.items()), modified))


def zip_chunks(files: Iterable[tuple[str, Iterable[bytes]]], modified: datetime) -> Iterator[bytes]:
    """The ZIP of `files` (name, content in pieces) as it is written, in constant memory.

    The archive is written to a temporary file, as to a buffer, so its bytes are those of a ZIP
    written in one piece (sizes in the local headers, no data descriptors). zipfile rewrites a
    member's header when the member is complete, so the bytes are passed on up to the member
    being written, and the rest once it is complete; an empty piece for each piece written into
    a member tells the consumer that work goes on (time to pass on what it holds)."""
    with tempfile.TemporaryFile() as spool:
        sent = 0

        def written_up_to(end: int) -> Iterator[bytes]:
            nonlocal sent
            spool.flush()
            while sent < end:
                data = os.pread(spool.fileno(), min(end - sent, ZIP_READ_BYTES), sent)
                sent += len(data)
                yield data

        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, pieces in files:
                info = _zip_info(name, modified)
                with archive.open(info, mode="w") as member:
                    yield from written_up_to(info.header_offset)
                    for piece in pieces:
                        member.write(piece)
                        yield b""
                yield from written_up_to(spool.tell())
        yield from written_up_to(spool.tell())
