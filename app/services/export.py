"""The complete dataset in one consistent read, for the bulk export and the catalogue.

Consistency without a long transaction: the data version (migration 0004) is read before and
after the collections; when a write committed in between, the read is repeated.

`modified` is when the data last changed: the newest `recordedAt` of a status or measurement,
or replacement of a measurement, else (seed data only) the newest status date of the report.
It is derived from the data rather than the clock, so the same data always gives the same
bytes, and with them the same strong ETag.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
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

MAX_ATTEMPTS = 5
# The lists of a Dataset.
PARTS = frozenset(
    {
        "perspectives",
        "goals",
        "statuses",
        "indicators",
        "metrics",
        "measurements",
        "units",
        "milestones",
        "targets",
    }
)
# Where there is no data at all (the earliest date a ZIP file can carry).
NO_DATE = date(1980, 1, 1)


@dataclass
class Dataset:
    data_version: int
    modified: datetime
    perspectives: list[PerspectiveView]
    goals: list[GoalView]
    statuses: list[StatusView]
    indicators: list[IndicatorView]
    metrics: list[MetricView]
    measurements: list[MeasurementView]
    units: list[Unit]
    milestones: list[Milestone]
    targets: list[TargetView]


def _everything(fetch: Callable[[str | None], Page]) -> list:
    items, cursor = [], None
    while True:
        page = fetch(cursor)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
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


def read_dataset(session: Session, parts: frozenset[str] = PARTS) -> Dataset:
    """The dataset, or only the lists named in `parts` (the others are left empty)."""
    for _ in range(MAX_ATTEMPTS):
        version = data_version(session)
        dataset = _read(session, version, parts)
        # End the read so that the next version read sees the latest commit. The loaded rows
        # leave the session first: a rollback would expire them, and building the document
        # would then reload each one with a query of its own.
        session.expunge_all()
        session.rollback()
        if data_version(session) == version:
            return dataset
    return dataset


def _goals(session: Session) -> list[GoalView]:
    return _everything(
        lambda cursor: goals.list_goals(
            session,
            perspective=None,
            year=None,
            progress=None,
            page_size=MAX_PAGE_SIZE,
            cursor=cursor,
        )
    )


def _statuses(session: Session) -> list[StatusView]:
    # One query for every history: goals in report order, each history oldest first.
    statuses = session.execute(
        sa.select(StatusUpdate)
        .join(Goal, StatusUpdate.goal_code == Goal.code)
        .order_by(Goal.position, StatusUpdate.as_of, StatusUpdate.id)
    ).scalars()
    corrections = goals.all_corrections(session)
    return [StatusView(status, corrections.get(status.id)) for status in statuses]


def _perspectives(session: Session) -> list[PerspectiveView]:
    return _everything(
        lambda cursor: perspectives.list_perspectives(
            session, page_size=MAX_PAGE_SIZE, cursor=cursor
        )
    )


def _indicators(session: Session) -> list[IndicatorView]:
    return _everything(
        lambda cursor: indicators.list_indicators(
            session, perspective=None, year=None, page_size=MAX_PAGE_SIZE, cursor=cursor
        )
    )


def _metrics(session: Session) -> list[MetricView]:
    return _everything(
        lambda cursor: indicators.list_metrics(
            session, perspective=None, indicator=None, page_size=MAX_PAGE_SIZE, cursor=cursor
        )
    )


_READERS: dict[str, Callable[[Session], list]] = {
    "perspectives": _perspectives,
    "goals": _goals,
    "statuses": _statuses,
    "indicators": _indicators,
    "metrics": _metrics,
    "measurements": measurements.all_measurements,
    "units": lambda session: _everything(
        lambda cursor: units.list_units(session, page_size=MAX_PAGE_SIZE, cursor=cursor)
    ),
    "milestones": lambda session: _everything(
        lambda cursor: milestones.list_milestones(session, page_size=MAX_PAGE_SIZE, cursor=cursor)
    ),
    "targets": lambda session: _everything(
        lambda cursor: targets.list_targets(session, page_size=MAX_PAGE_SIZE, cursor=cursor)
    ),
}


def _read(session: Session, version: int, parts: frozenset[str]) -> Dataset:
    lists = {name: read(session) if name in parts else [] for name, read in _READERS.items()}
    return Dataset(data_version=version, modified=last_modified(session), **lists)


def zip_of_files(files: dict[str, bytes], modified: datetime) -> bytes:
    """A ZIP with fixed timestamps and order, so the same files give the same bytes."""
    stamp = max(modified, datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
