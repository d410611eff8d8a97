"""Importing a later progress report: `coalition-monitor import <file>`.

The file is one JSON document in the seed's formats (see README, "Importing a report"):

    {"title": "...", "note": "...",
     "statuses": [{"goalCode": "C4", "asOf": "2022-06-30", "asOfLabel": "juni 2022",
                   "text": "...", "source": "...", "progress": "inProgress",
                   "progressEvidence": "...", "sharedWith": [],
                   "milestones": [{"date": "2022-05-10", "datePrecision": "day",
                                   "kind": "decision", "body": "council",
                                   "quote": "Raadsbesluit d.d. 10-05-2022"}]}],
     "measurements": [{"metricCode": "M1.1", "period": "2022", "periodType": "year",
                       "periodStart": 2022, "periodEnd": 2022, "value": 31, "valueText": "31",
                       "status": "final", "source": null, "footnote": null, "line": null}]}

A status is a goals.json status plus `goalCode` and optionally its `milestones` (a
milestones.json entry without goalCode, asOf and source: those are the status's; each quote must
occur in the status text); a measurement is a measurements.csv row as a
JSON object (`source`, `footnote` and `line` may be left out).

The whole file is validated before anything is written, and every problem is reported with its
place (`statuses[3].asOf`). Then everything is written in one transaction, under the same locks
as the write API, or nothing is. Importing is idempotent:
- a status is matched on goal, `asOf` and source. The same text (and label, progress, evidence,
  shared goals, milestones) as the current entry: nothing to do. A different one: a correction that
  supersedes the current entry (the old one stays in the history). None: a new entry.
- a measurement is matched on metric, period and source. Same values: nothing to do; other
  values: a new version (the replaced one is kept as a revision); none: a new measurement.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError
from sqlmodel import Session, select

from app.models import Goal, Metric, Milestone, StatusUpdate
from app.schemas import MeasurementIn, WriteModel
from app.seed import MeasurementRecord, MilestoneFields, StatusRecord
from app.services.goals import superseding_ids
from app.services.measurement_writes import (
    MeasurementFields,
    Period,
    parse_period,
    record_measurement,
)
from app.services.milestones import milestone_row
from app.services.status_writes import NewStatus, append_status
from app.services.validation import latest_allowed_date
from app.services.write_support import utc_now


class ReportImportError(Exception):
    """The file cannot be imported; the message lists every problem with its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ImportedStatus(StatusRecord):
    goal_code: Annotated[str, Field(min_length=1)]
    # Strict: a number is not a date.
    as_of: date = Field(strict=True)
    milestones: list[MilestoneFields] = Field(default_factory=list)


class ImportedMeasurement(MeasurementRecord):
    # Strict: "12" is text, not a number.
    value: float | None = Field(strict=True, allow_inf_nan=False)
    source: str | None = None
    footnote: str | None = None
    line: int | None = None


class ReportFile(WriteModel):
    title: str | None = None
    # Free text about the file (e.g. that it is a test fixture); not stored.
    note: str | None = None
    statuses: list[ImportedStatus] = Field(default_factory=list)
    measurements: list[ImportedMeasurement] = Field(default_factory=list)


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


def _place(location: tuple[Any, ...]) -> str:
    place = ""
    for part in location:
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    return place or "(file)"


def read_report(path: Path) -> ReportFile:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ReportImportError([f"cannot read {path}: {error.strerror or error}"]) from error
    try:
        return ReportFile.model_validate_json(raw)
    except ValidationError as error:
        raise ReportImportError(
            [
                f"{_place(tuple(item['loc']))}: {item['msg'].removeprefix('Value error, ')}"
                for item in error.errors()
            ]
        ) from error


def _check(session: Session, report: ReportFile) -> tuple[list[str], dict[int, Period]]:
    """Every problem the database or the rules find in an otherwise well-formed file."""
    problems: list[str] = []
    goal_codes = set(session.exec(select(Goal.code)))
    metrics = {metric.code: metric for metric in session.exec(select(Metric))}
    latest = latest_allowed_date(utc_now().date())
    seen_statuses: dict[tuple, int] = {}
    for index, status in enumerate(report.statuses):
        place = f"statuses[{index}]"
        if status.goal_code not in goal_codes:
            problems.append(f"{place}.goalCode: no goal with code {status.goal_code!r}")
        for other in status.shared_with:
            if other not in goal_codes:
                problems.append(f"{place}.sharedWith: no goal with code {other!r}")
        if status.as_of > latest:
            problems.append(f"{place}.asOf: {status.as_of} is in the future")
        if not status.text.strip():
            problems.append(f"{place}.text: must not be empty")
        for number, milestone in enumerate(status.milestones):
            if milestone.quote not in status.text:
                problems.append(
                    f"{place}.milestones[{number}].quote: does not occur verbatim in the text"
                )
        key = (status.goal_code, status.as_of, status.source)
        if key in seen_statuses:
            problems.append(
                f"{place}: same goal, asOf and source as statuses[{seen_statuses[key]}]"
            )
        seen_statuses.setdefault(key, index)
    periods: dict[int, Period] = {}
    seen_measurements: dict[tuple, int] = {}
    for index, row in enumerate(report.measurements):
        place = f"measurements[{index}]"
        metric = metrics.get(row.metric_code)
        if metric is None:
            problems.append(f"{place}.metricCode: no metric with code {row.metric_code!r}")
        parsed = parse_period(row.period)
        if isinstance(parsed, str):
            problems.append(f"{place}.period: {parsed}")
        else:
            periods[index] = Period(row.period, row.period_type, row.period_start, row.period_end)
        try:
            MeasurementIn(
                value=row.value, value_text=row.value_text, status=row.status, source=row.source
            )
        except ValidationError as error:
            for item in error.errors():
                reason = item["msg"].removeprefix("Value error, ")
                problems.append(f"{place}: {reason}")
        source = row.source
        if metric is not None and source == metric.source:
            source = None
        key = (row.metric_code, row.period, source)
        if key in seen_measurements:
            problems.append(
                f"{place}: same metric, period and source as measurements[{seen_measurements[key]}]"
            )
        seen_measurements.setdefault(key, index)
    return problems, periods


def _same_status(session: Session, record: StatusUpdate, status: ImportedStatus) -> bool:
    return (
        record.text == status.text
        and record.as_of_label == status.as_of_label
        and record.progress == status.progress
        and record.progress_evidence == status.progress_evidence
        and list(record.shared_with or []) == status.shared_with
        and _milestones_of(session, record) == [milestone_row(m) for m in status.milestones]
    )


def _milestones_of(session: Session, record: StatusUpdate) -> list[dict]:
    rows = session.exec(
        select(Milestone)
        .where(Milestone.status_id == record.id, Milestone.goal_code == record.goal_code)
        .order_by(Milestone.position)
    )
    columns = ("date_start", "date_precision", "kind", "body", "quote")
    return [{column: getattr(row, column) for column in columns} for row in rows]


def import_report(session: Session, report: ReportFile, *, author: str) -> ImportSummary:
    problems, periods = _check(session, report)
    if problems:
        raise ReportImportError(problems)
    summary = ImportSummary()
    now = utc_now()
    try:
        # Locks are taken in code order, so two imports cannot deadlock each other.
        for status in sorted(report.statuses, key=lambda item: item.goal_code):
            _import_status(session, status, summary, author=author, now=now)
        indexed = sorted(enumerate(report.measurements), key=lambda pair: pair[1].metric_code)
        for index, row in indexed:
            metric = session.get(Metric, row.metric_code)
            result = record_measurement(
                session,
                metric,
                MeasurementFields(
                    period=periods[index],
                    value=row.value,
                    value_text=row.value_text,
                    status=row.status,
                    source=row.source,
                    footnote=row.footnote,
                    line=row.line,
                ),
                author=author,
                now=now,
            )
            if result.created:
                summary.measurements_created += 1
            elif result.changed:
                summary.measurements_replaced += 1
            else:
                summary.measurements_unchanged += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    return summary


def _import_status(
    session: Session, status: ImportedStatus, summary: ImportSummary, *, author: str, now
) -> None:
    source_matches = (
        StatusUpdate.source.is_(None)
        if status.source is None
        else StatusUpdate.source == status.source
    )
    candidates = list(
        session.exec(
            select(StatusUpdate)
            .where(
                StatusUpdate.goal_code == status.goal_code,
                StatusUpdate.as_of == status.as_of,
                source_matches,
            )
            .order_by(StatusUpdate.id)
        )
    )
    corrected = superseding_ids(session, [candidate.id for candidate in candidates])
    current = [candidate for candidate in candidates if candidate.id not in corrected]
    if any(_same_status(session, candidate, status) for candidate in current):
        summary.statuses_unchanged += 1
        return
    append_status(
        session,
        NewStatus(
            goal_code=status.goal_code,
            as_of=status.as_of,
            as_of_label=status.as_of_label,
            text=status.text,
            progress=status.progress,
            progress_evidence=status.progress_evidence,
            source=status.source,
            shared_with=status.shared_with,
            supersedes_id=current[-1].id if current else None,
            milestones=status.milestones,
        ),
        author=author,
        recorded_at=now,
    )
    if current:
        summary.statuses_corrected += 1
    else:
        summary.statuses_added += 1


def import_report_file(session: Session, path: Path) -> ImportSummary:
    report = read_report(path)
    return import_report(session, report, author=f"import:{path.name}")
