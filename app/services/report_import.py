"""Importing a later progress report: `coalition-monitor import <file>`.

The file's format and how it is read are in `report_file`. Everything is written in one
transaction, or nothing is: records are checked as they stream by and written in chunks, and
the first problem stops the writing (checking goes on, so every problem is reported with its
place, e.g. `statuses[3].asOf`), after which the transaction is rolled back.

Importing is idempotent:
- a status is matched on goal, `asOf` and source. The same text (and label, progress, evidence,
  shared goals, milestones) as the current entry: nothing to do. A different one: a correction that
  supersedes the current entry (the old one stays in the history). None: a new entry.
- a measurement is matched on metric, period and source. Same values: nothing to do; other
  values: a new version (the replaced one is kept as a revision); none: a new measurement.

Cost: one lookup and one multi-row statement per chunk of records, never one per record, and
no statement whose size grows with the file; so a file of 100,000s of records imports in
seconds to a minute on either database, in bounded memory.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from app.core.config import TextLimits
from app.core.periods import parse_period
from app.models import Goal, Measurement, MeasurementRevision, Metric, Milestone, StatusUpdate
from app.schemas import MeasurementIn
from app.services.indicators import effective_source, stored_source
from app.services.milestones import milestone_row
from app.services.report_file import (
    Entry,
    ImportedMeasurement,
    ImportedStatus,
    ReportImportError,
    check_outline,
    entries,
)
from app.services.validation import latest_allowed_date
from app.services.write_support import lock_all_goals_and_metrics, utc_now

__all__ = ["ImportSummary", "ReportImportError", "import_report_file"]

CHUNK_SIZE = 1000
IMPORTED_TABLES = ("status_update", "milestone", "measurement", "measurement_revision")
MILESTONE_COLUMNS = ("date_start", "date_precision", "kind", "body", "quote")

# Opens the file for one streaming pass; the CLI wraps it with a progress bar.
Opener = Callable[[Path], AbstractContextManager[IO[bytes]]]


@dataclass
class ImportSummary:
    statuses_added: int = 0
    statuses_corrected: int = 0
    statuses_unchanged: int = 0
    measurements_created: int = 0
    measurements_replaced: int = 0
    measurements_unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.statuses_added
            + self.statuses_corrected
            + self.measurements_created
            + self.measurements_replaced
        )

    def describe(self, path: Path) -> str:
        if not self.changed:
            return f"{path}: already imported; nothing changed."
        return (
            f"Imported {path}: statuses {self.statuses_added} added, "
            f"{self.statuses_corrected} corrected, {self.statuses_unchanged} unchanged; "
            f"measurements {self.measurements_created} created, "
            f"{self.measurements_replaced} replaced, {self.measurements_unchanged} unchanged."
        )


def _open(path: Path) -> AbstractContextManager[IO[bytes]]:
    return path.open("rb")


def import_report_file(
    session: Session,
    path: Path,
    text_limits: TextLimits | None = None,
    *,
    opener: Opener = _open,
) -> ImportSummary:
    text_limits = text_limits or TextLimits()
    outline_problems = check_outline(path, opener, text_limits)
    run = _ImportRun(session, author=f"import:{path.name}", now=utc_now())
    run.summary.problems += outline_problems
    try:
        run.lock_everything()
        run.statuses(_chunks(entries(path, "statuses", opener, text_limits)))
        run.measurements(_chunks(entries(path, "measurements", opener, text_limits)))
        if run.summary.problems:
            raise ReportImportError(run.summary.problems)
        session.commit()
    except Exception:
        session.rollback()
        raise
    if run.summary.changed:
        refresh_planner_statistics(session)
    return run.summary


def refresh_planner_statistics(session: Session) -> None:
    """PostgreSQL plans from table statistics, which autovacuum refreshes only some time after
    a bulk write: until then a table that grew a hundredfold is planned as if it were small
    (sequential scans where the indexes serve). SQLite's plans here do not use statistics."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in IMPORTED_TABLES:
        session.execute(sa.text(f"ANALYZE {table}"))
    session.commit()


def _chunks(stream: Iterator[Entry]) -> Iterator[list[Entry]]:
    while chunk := list(islice(stream, CHUNK_SIZE)):
        yield chunk


class _ImportRun:
    """One import inside one transaction: the checks that need the database, and the writes."""

    def __init__(self, session: Session, *, author: str, now: datetime) -> None:
        self.session = session
        self.author = author
        self.now = now
        self.summary = ImportSummary()
        self.latest_as_of = latest_allowed_date(now.date())
        self.goal_codes = set(session.scalars(sa.select(Goal.code)))
        self.metric_sources = dict(session.execute(sa.select(Metric.code, Metric.source)).all())
        self.seen_statuses: dict[tuple, int] = {}
        self.seen_measurements: dict[tuple, int] = {}

    @property
    def writing(self) -> bool:
        # After the first problem nothing more is written; everything is rolled back anyway.
        return not self.summary.problems

    def lock_everything(self) -> None:
        """Every goal and metric (the write API locks one), so the state read below stays the
        state written over."""
        lock_all_goals_and_metrics(self.session)

    # Statuses

    def statuses(self, chunks: Iterator[list[Entry]]) -> None:
        for chunk in chunks:
            valid = [entry for entry in chunk if self._check_status(entry)]
            if self.writing and valid:
                self._write_statuses(valid)

    def _check_status(self, entry: Entry) -> bool:
        problems = list(entry.problems)
        status = entry.record
        if isinstance(status, ImportedStatus):
            if status.goal_code not in self.goal_codes:
                problems.append(f"{entry.place}.goalCode: no goal with code {status.goal_code!r}")
            for other in status.shared_with:
                if other not in self.goal_codes:
                    problems.append(f"{entry.place}.sharedWith: no goal with code {other!r}")
            if status.as_of > self.latest_as_of:
                problems.append(f"{entry.place}.asOf: {status.as_of} is in the future")
            if not status.text.strip():
                problems.append(f"{entry.place}.text: must not be empty")
            for number, milestone in enumerate(status.milestones):
                if milestone.quote not in status.text:
                    problems.append(
                        f"{entry.place}.milestones[{number}].quote: does not occur verbatim in "
                        "the text"
                    )
            key = (status.goal_code, status.as_of, status.source)
            if key in self.seen_statuses:
                problems.append(
                    f"{entry.place}: same goal, asOf and source as "
                    f"statuses[{self.seen_statuses[key]}]"
                )
            self.seen_statuses.setdefault(key, entry.index)
        self.summary.problems += problems
        return not problems

    def _write_statuses(self, chunk: list[Entry]) -> None:
        current = self._current_statuses({(e.record.goal_code, e.record.as_of) for e in chunk})
        milestones_of = self._milestones_of([row.id for rows in current.values() for row in rows])
        rows, new = [], []
        for entry in chunk:
            status: ImportedStatus = entry.record
            entries_now = current.get((status.goal_code, status.as_of, status.source), [])
            if any(_same_status(row, milestones_of.get(row.id, []), status) for row in entries_now):
                self.summary.statuses_unchanged += 1
                continue
            if entries_now:
                self.summary.statuses_corrected += 1
            else:
                self.summary.statuses_added += 1
            rows.append(self._status_row(status, entries_now[-1].id if entries_now else None))
            new.append(status)
        if rows:
            inserted = self.session.execute(
                sa.insert(StatusUpdate).returning(StatusUpdate.id, sort_by_parameter_order=True),
                rows,
            ).scalars()
            self._write_milestones(zip(inserted, new, strict=True))

    def _milestones_of(self, status_ids: list[int]) -> dict[int, list[dict]]:
        """The milestones of these (chunk-bounded) entries, as milestone_row gives them."""
        found: dict[int, list[dict]] = {}
        if not status_ids:
            return found
        rows = self.session.execute(
            sa.select(Milestone)
            .where(Milestone.status_id.in_(status_ids))
            .order_by(Milestone.status_id, Milestone.position)
        ).scalars()
        for row in rows:
            found.setdefault(row.status_id, []).append(
                {column: getattr(row, column) for column in MILESTONE_COLUMNS}
            )
        return found

    def _write_milestones(self, inserted) -> None:
        rows = [
            {
                "goal_code": status.goal_code,
                "status_id": status_id,
                "position": position,
                **milestone_row(milestone),
            }
            for status_id, status in inserted
            for position, milestone in enumerate(status.milestones, start=1)
        ]
        if rows:
            self.session.execute(sa.insert(Milestone), rows)

    def _current_statuses(self, keys: set[tuple[str, date]]) -> dict[tuple, list]:
        """The entries not superseded, per goal, asOf and source, of the chunk's (goal, asOf)."""
        table = StatusUpdate.__table__
        correction = table.alias("correction")
        rows = self.session.execute(
            sa.select(
                table.c.id,
                table.c.goal_code,
                table.c.as_of,
                table.c.source,
                table.c.text,
                table.c.as_of_label,
                table.c.progress,
                table.c.progress_evidence,
                table.c.shared_with,
            )
            .where(table.c.goal_code.in_(_column(keys, 0)), table.c.as_of.in_(_column(keys, 1)))
            .where(~sa.exists().where(correction.c.supersedes_id == table.c.id))
            .order_by(table.c.id)
        )
        current: dict[tuple, list] = {}
        for row in rows:
            if (row.goal_code, row.as_of) in keys:
                current.setdefault((row.goal_code, row.as_of, row.source), []).append(row)
        return current

    def _status_row(self, status: ImportedStatus, supersedes_id: int | None) -> dict:
        return {
            "goal_code": status.goal_code,
            "as_of": status.as_of,
            "as_of_label": status.as_of_label,
            "text": status.text,
            "progress": status.progress,
            "progress_evidence": status.progress_evidence,
            "source": status.source,
            "shared_with": list(status.shared_with),
            "author": self.author,
            "recorded_at": self.now,
            "supersedes_id": supersedes_id,
        }

    # Measurements

    def measurements(self, chunks: Iterator[list[Entry]]) -> None:
        for chunk in chunks:
            valid = [entry for entry in chunk if self._check_measurement(entry)]
            if valid:
                self._write_measurements(valid)

    def _check_measurement(self, entry: Entry) -> bool:
        problems = list(entry.problems)
        row = entry.record
        if isinstance(row, ImportedMeasurement):
            problems += self._measurement_problems(entry.place, row)
            key = (*_period_identity(row), self._stored_source(row))
            if key in self.seen_measurements:
                problems.append(
                    f"{entry.place}: same metric, period and source as "
                    f"measurements[{self.seen_measurements[key]}]"
                )
            self.seen_measurements.setdefault(key, entry.index)
        self.summary.problems += problems
        return not problems

    def _measurement_problems(self, place: str, row: ImportedMeasurement) -> list[str]:
        problems = []
        if row.metric_code not in self.metric_sources:
            problems.append(f"{place}.metricCode: no metric with code {row.metric_code!r}")
        parsed = parse_period(row.period)
        if isinstance(parsed, str):
            problems.append(f"{place}.period: {parsed}")
        try:
            MeasurementIn(
                value=row.value, value_text=row.value_text, status=row.status, source=row.source
            )
        except ValidationError as error:
            problems += [
                f"{place}: {item['msg'].removeprefix('Value error, ')}" for item in error.errors()
            ]
        return problems

    def _stored_source(self, row: ImportedMeasurement) -> str | None:
        return stored_source(row.source, self.metric_sources.get(row.metric_code))

    def _write_measurements(self, chunk: list[Entry]) -> None:
        figures = self._figures([entry.record for entry in chunk])
        created, replaced, revisions = [], [], []
        for entry in chunk:
            row: ImportedMeasurement = entry.record
            found = self._find(entry, row, figures.get(self._address(row), []))
            if found is False or not self.writing:
                continue
            if found is None:
                created.append(self._measurement_row(row))
            elif _same_figure(found, row):
                self.summary.measurements_unchanged += 1
            else:
                revisions.append(self._revision_row(found))
                replaced.append(self._replacement_row(found, row))
        self._write_figures(created, replaced, revisions)

    def _address(self, row: ImportedMeasurement) -> tuple:
        """Where a row points: one figure when it names a source (the metric's own source is
        stored as none), every figure of the period when it names none."""
        if row.source is None:
            return _period_identity(row)
        return (*_period_identity(row), self._stored_source(row) or "")

    def _find(self, entry: Entry, row: ImportedMeasurement, figures: list):
        """The figure this row addresses, None if new, False if the address is ambiguous."""
        if len(figures) > 1:
            metric_source = self.metric_sources[row.metric_code]
            sources = "; ".join(repr(effective_source(f.source, metric_source)) for f in figures)
            self.summary.problems.append(
                f"{entry.place}.source: Metric {row.metric_code} has {len(figures)} figures for "
                f"{row.period} (sources {sources}); name one with `source`."
            )
            return False
        return figures[0] if figures else None

    def _figures(self, rows: list[ImportedMeasurement]) -> dict[tuple, list]:
        """The stored figures at the chunk's addresses, by address; two of a period are enough
        to know that an address without a source is ambiguous."""
        table = Measurement.__table__
        stored_source = sa.func.coalesce(table.c.source, "")
        named = {self._address(row) for row in rows if row.source is not None}
        unnamed = {self._address(row) for row in rows if row.source is None}
        figures: dict[tuple, list] = {}
        if named:
            found = sa.select(table).where(
                *_identity_filters(table, named), stored_source.in_(_column(named, 4))
            )
            for figure in self.session.execute(found):
                address = (*_period_identity(figure), figure.source or "")
                if address in named:
                    figures.setdefault(address, []).append(figure)
        if unnamed:
            identity = (
                table.c.metric_code,
                table.c.period_type,
                table.c.period_start,
                table.c.period_end,
            )
            ranked = sa.select(
                table,
                sa.func.row_number().over(partition_by=identity, order_by=table.c.id).label("rank"),
            ).where(*_identity_filters(table, unnamed))
            ranked = ranked.subquery()
            for figure in self.session.execute(sa.select(ranked).where(ranked.c.rank <= 2)):
                address = _period_identity(figure)
                if address in unnamed:
                    figures.setdefault(address, []).append(figure)
        return figures

    def _write_figures(self, created: list, replaced: list, revisions: list) -> None:
        if created:
            self.session.execute(sa.insert(Measurement), created)
        if revisions:
            self.session.execute(sa.insert(MeasurementRevision), revisions)
        if replaced:
            table = Measurement.__table__
            self.session.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("measurement_id"))
                .values(
                    {
                        name: sa.bindparam(name)
                        for name in (
                            "value",
                            "value_text",
                            "status",
                            "footnote",
                            "version",
                            "author",
                            "recorded_at",
                        )
                    }
                ),
                replaced,
            )
        self.summary.measurements_created += len(created)
        self.summary.measurements_replaced += len(replaced)

    def _measurement_row(self, row: ImportedMeasurement) -> dict:
        parsed = parse_period(row.period)
        return {
            "metric_code": row.metric_code,
            "period": row.period,
            "period_type": parsed.period_type,
            "period_start": parsed.start,
            "period_end": parsed.end,
            "value": row.value,
            "value_text": row.value_text,
            "status": row.status,
            "source": self._stored_source(row),
            "footnote": row.footnote,
            "line": row.line,
            "version": 1,
            "author": self.author,
            "recorded_at": self.now,
        }

    def _replacement_row(self, found, row: ImportedMeasurement) -> dict:
        return {
            "measurement_id": found.id,
            "value": row.value,
            "value_text": row.value_text,
            "status": row.status,
            "footnote": row.footnote,
            "version": found.version + 1,
            "author": self.author,
            "recorded_at": self.now,
        }

    def _revision_row(self, found) -> dict:
        return {
            "measurement_id": found.id,
            "version": found.version,
            "period_type": found.period_type,
            "period_start": found.period_start,
            "period_end": found.period_end,
            "value": found.value,
            "value_text": found.value_text,
            "status": found.status,
            "source": found.source,
            "footnote": found.footnote,
            "line": found.line,
            "author": found.author,
            "recorded_at": found.recorded_at,
            "replaced_at": self.now,
            "replaced_by": self.author,
        }


def _period_identity(row) -> tuple[str, str, int, int]:
    """A figure's metric and period: its type, first and last year, whatever the spelling."""
    return (row.metric_code, row.period_type, row.period_start, row.period_end)


def _identity_filters(table: sa.Table, keys: set[tuple]) -> list:
    return [
        table.c.metric_code.in_(_column(keys, 0)),
        table.c.period_type.in_(_column(keys, 1)),
        table.c.period_start.in_(_column(keys, 2)),
        table.c.period_end.in_(_column(keys, 3)),
    ]


def _column(keys: set[tuple], position: int) -> list:
    """One part of the chunk's composite keys: the lookups filter each column by its (chunk-
    bounded) list, which every database answers from an index, and the exact pairs are picked
    out here; a list of tuples would be an OR of ANDs that PostgreSQL checks row by row."""
    return sorted({key[position] for key in keys})


def _same_status(row, milestones: list[dict], status: ImportedStatus) -> bool:
    return (
        row.text == status.text
        and row.as_of_label == status.as_of_label
        and row.progress == status.progress
        and row.progress_evidence == status.progress_evidence
        and list(row.shared_with or []) == status.shared_with
        and milestones == [milestone_row(milestone) for milestone in status.milestones]
    )


def _same_figure(found, row: ImportedMeasurement) -> bool:
    return (found.value, found.value_text, found.status, found.footnote) == (
        row.value,
        row.value_text,
        row.status,
        row.footnote,
    )
