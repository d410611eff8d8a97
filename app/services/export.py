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
from datetime import UTC, datetime, time

import sqlalchemy as sa
from sqlmodel import Session

from app.models import Goal, Measurement, MeasurementRevision, Milestone, StatusUpdate, Unit
from app.services import goals, indicators, measurements, milestones, perspectives, targets, units
from app.services.data_version import read_version
from app.services.goals import GoalView, StatusView
from app.services.indicators import IndicatorView, MeasurementView, MetricView
from app.services.paging import MAX_PAGE_SIZE, Page
from app.services.perspectives import PerspectiveView
from app.services.targets import TargetView
from app.services.write_support import as_utc

MAX_ATTEMPTS = 5


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
    moments = [
        session.execute(sa.select(sa.func.max(StatusUpdate.recorded_at))).scalar(),
        session.execute(sa.select(sa.func.max(Measurement.recorded_at))).scalar(),
        session.execute(sa.select(sa.func.max(MeasurementRevision.replaced_at))).scalar(),
    ]
    written = [as_utc(moment) for moment in moments if moment is not None]
    if written:
        return max(written)
    latest_report = session.execute(sa.select(sa.func.max(StatusUpdate.as_of))).scalar()
    if latest_report is None:
        return datetime(1980, 1, 1, tzinfo=UTC)
    return datetime.combine(latest_report, time(0), tzinfo=UTC)


def read_dataset(session: Session) -> Dataset:
    for _ in range(MAX_ATTEMPTS):
        version = data_version(session)
        dataset = _read(session, version)
        session.rollback()  # end the read; the next version read sees the latest commit
        if data_version(session) == version:
            return dataset
    return dataset


def _read(session: Session, version: int) -> Dataset:
    size = MAX_PAGE_SIZE
    goal_views = _everything(
        lambda cursor: goals.list_goals(
            session, perspective=None, year=None, progress=None, page_size=size, cursor=cursor
        )
    )
    # One query for every history: goals in report order, each history oldest first.
    status_rows = session.execute(
        sa.select(StatusUpdate)
        .join(Goal, StatusUpdate.goal_code == Goal.code)
        .order_by(Goal.position, StatusUpdate.as_of, StatusUpdate.id)
    ).scalars()
    statuses = list(status_rows)
    corrections = goals.superseding_ids(session, [status.id for status in statuses])
    return Dataset(
        data_version=version,
        modified=last_modified(session),
        perspectives=_everything(
            lambda cursor: perspectives.list_perspectives(session, page_size=size, cursor=cursor)
        ),
        goals=goal_views,
        statuses=[StatusView(status, corrections.get(status.id)) for status in statuses],
        indicators=_everything(
            lambda cursor: indicators.list_indicators(
                session, perspective=None, year=None, page_size=size, cursor=cursor
            )
        ),
        metrics=_everything(
            lambda cursor: indicators.list_metrics(
                session, perspective=None, indicator=None, page_size=size, cursor=cursor
            )
        ),
        measurements=_everything(
            lambda cursor: measurements.list_measurements(session, page_size=size, cursor=cursor)
        ),
        units=_everything(lambda cursor: units.list_units(session, page_size=size, cursor=cursor)),
        milestones=_everything(
            lambda cursor: milestones.list_milestones(session, page_size=size, cursor=cursor)
        ),
        targets=_everything(
            lambda cursor: targets.list_targets(session, page_size=size, cursor=cursor)
        ),
    )


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
