"""Load the seed files (seed/*.json, seed/measurements.csv, seed/polarity.tsv) into the database.

The files are validated as a whole before anything is written, and loading is idempotent:
rows are matched on their natural keys and only written when they differ, so running the
loader twice changes nothing. Rows that the seed does not mention are left alone, so data
written later through the API is never removed by a re-seed.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from sqlmodel import Session, SQLModel, select

from app.core.codes import (
    GOAL_CODE,
    INDICATOR_CODE,
    METRIC_CODE,
    PERSPECTIVE_LETTER,
    PERSPECTIVE_SLUG,
    whole,
)
from app.core.partial_dates import DatePrecision, check_first_day
from app.core.periods import MAX_YEAR, MIN_YEAR
from app.models import (
    Goal,
    GoalCrossReference,
    GoalLink,
    Indicator,
    Measurement,
    Metric,
    Milestone,
    Perspective,
    StatusUpdate,
    Target,
    Unit,
)
from app.schemas import (
    MeasurementStatus,
    MilestoneBody,
    MilestoneKind,
    PeriodType,
    Polarity,
    Progress,
    TargetSource,
)
from app.services.milestones import milestone_row

UnitCode = Annotated[str, Field(pattern=r"^[a-z][A-Za-z0-9]*$", max_length=50)]
NonEmpty = Annotated[str, Field(min_length=1)]
PerspectiveLetter = Annotated[str, Field(pattern=whole(PERSPECTIVE_LETTER))]
MetricCode = Annotated[str, Field(pattern=whole(METRIC_CODE))]
# A field called `date` cannot be annotated with the name `date` in its own class.
IsoDate = date


class SeedFormatError(Exception):
    """The seed files do not match the format in seed/README.md."""


class _SeedModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class PerspectiveRecord(_SeedModel):
    code: PerspectiveLetter
    number: NonEmpty
    name: NonEmpty
    slug: Annotated[str, Field(pattern=whole(PERSPECTIVE_SLUG))]
    description: NonEmpty


class StatusRecord(_SeedModel):
    as_of: date
    as_of_label: NonEmpty
    text: NonEmpty
    source: str | None = None
    shared_with: list[str] = []
    progress: Progress | None = None
    progress_evidence: str | None = None


class GoalRecord(_SeedModel):
    code: Annotated[str, Field(pattern=whole(GOAL_CODE))]
    perspective_code: PerspectiveLetter
    order: Annotated[int, Field(ge=1)]
    text: NonEmpty
    cross_references: list[str] = []
    links: list[NonEmpty] = []
    statuses: list[StatusRecord] = []

    @model_validator(mode="after")
    def _code_belongs_to_perspective(self) -> "GoalRecord":
        if not self.code.startswith(self.perspective_code):
            raise ValueError(f"goal {self.code} is not in perspective {self.perspective_code}")
        return self


class MetricRecord(_SeedModel):
    code: MetricCode
    name: NonEmpty
    breakdown: str | None = None
    unit: UnitCode
    source: str | None = None
    notes: list[str] = []
    line: int | None = None


class PolarityRecord(_SeedModel):
    """The editorial polarity reading of one metric (seed/polarity.tsv, see seed/README.md)."""

    metric: MetricCode
    polarity: Polarity | None
    reason: NonEmpty
    evidence: NonEmpty

    @model_validator(mode="before")
    @classmethod
    def _empty_polarity_is_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("polarity") == "":
            return {**data, "polarity": None}
        return data


class IndicatorRecord(_SeedModel):
    code: Annotated[str, Field(pattern=whole(INDICATOR_CODE))]
    perspective_code: PerspectiveLetter
    name: NonEmpty
    note: str | None = None
    metrics: list[MetricRecord] = []

    @model_validator(mode="after")
    def _metric_codes_extend_indicator_code(self) -> "IndicatorRecord":
        for metric in self.metrics:
            if not metric.code.startswith(self.code + "."):
                raise ValueError(f"metric {metric.code} does not belong to {self.code}")
        return self


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


class MeasurementRecord(_SeedModel):
    metric_code: NonEmpty
    period: NonEmpty
    period_type: PeriodType
    period_start: Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
    period_end: Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
    value: float | None
    value_text: str | None
    status: MeasurementStatus
    source: str | None
    footnote: str | None
    line: int | None

    @model_validator(mode="before")
    @classmethod
    def _empty_cells_are_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: _blank_to_none(value) for key, value in data.items()}
        return data

    @model_validator(mode="after")
    def _period_is_consistent(self) -> "MeasurementRecord":
        if self.period_start > self.period_end:
            raise ValueError(f"period {self.period} starts after it ends")
        years = [int(year) for year in re.findall(r"[0-9]{4}", self.period)]
        if years and (years[0] != self.period_start or years[-1] != self.period_end):
            raise ValueError(
                f"period {self.period} does not match {self.period_start}..{self.period_end}"
            )
        return self


class UnitRecord(_SeedModel):
    code: UnitCode
    label_nl: NonEmpty
    label_en: NonEmpty
    ucum: Annotated[str, Field(min_length=1, max_length=50)] | None
    description: NonEmpty


class MilestoneFields(_SeedModel):
    """A milestone as a status carries it (seed, import and the write API share it)."""

    date: IsoDate
    date_precision: DatePrecision
    kind: MilestoneKind
    body: MilestoneBody | None = None
    quote: NonEmpty

    @model_validator(mode="after")
    def _date_matches_precision(self) -> "MilestoneFields":
        check_first_day(self.date, self.date_precision)
        return self


class MilestoneRecord(MilestoneFields):
    goal_code: NonEmpty
    # The status it comes from: the seeded status of this goal with this date and source.
    as_of: date
    source: str | None


class TargetRecord(_SeedModel):
    goal_code: NonEmpty
    source: TargetSource
    # For source=status: the status the quote comes from (goal, asOf and its source).
    as_of: date | None = None
    status_source: str | None = None
    quote: NonEmpty
    value: float | None
    unit: UnitCode | None
    deadline: date | None
    deadline_precision: DatePrecision | None
    metric_code: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "TargetRecord":
        if (self.deadline is None) != (self.deadline_precision is None):
            raise ValueError("deadline and deadlinePrecision go together")
        if self.deadline is not None:
            check_first_day(self.deadline, self.deadline_precision)
        if self.value is not None and self.unit is None:
            raise ValueError("a value needs a unit")
        if (self.source == "status") != (self.as_of is not None):
            raise ValueError("asOf names the status of a source=status target, and only then")
        return self


@dataclass
class SeedData:
    perspectives: list[PerspectiveRecord]
    goals: list[GoalRecord]
    indicators: list[IndicatorRecord]
    measurements: list[MeasurementRecord]
    units: list[UnitRecord] = field(default_factory=list)
    milestones: list[MilestoneRecord] = field(default_factory=list)
    targets: list[TargetRecord] = field(default_factory=list)
    polarities: list[PolarityRecord] = field(default_factory=list)


@dataclass
class SeedReport:
    """What a load wrote: table name -> number of rows inserted or updated."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.inserted.values()) or any(self.updated.values())

    def count(self, kind: str, table: str) -> None:
        target = self.inserted if kind == "inserted" else self.updated
        target[table] = target.get(table, 0) + 1


SEED_FILES = (
    "perspectives.json",
    "goals.json",
    "indicators.json",
    "measurements.csv",
    "units.json",
    "milestones.json",
    "targets.json",
    "polarity.tsv",
)


def _read_json(path: Path, adapter: TypeAdapter) -> Any:
    try:
        return adapter.validate_json(path.read_bytes())
    except FileNotFoundError as error:
        raise SeedFormatError(f"missing seed file {path}") from error
    except ValidationError as error:
        raise SeedFormatError(f"{path}: {error}") from error


def _read_table(path: Path, model: type[_SeedModel], delimiter: str = ",") -> list[Any]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=delimiter))
    except FileNotFoundError as error:
        raise SeedFormatError(f"missing seed file {path}") from error
    records = []
    problems = []
    # Row 1 is the header, so the first data row is row 2 of the file.
    for row_number, row in enumerate(rows, start=2):
        try:
            records.append(model.model_validate(row))
        except ValidationError as error:
            problems.append(f"{path}:{row_number}: {error}")
    if problems:
        raise SeedFormatError("\n".join(problems))
    return records


def read_seed(seed_dir: Path) -> SeedData:
    """Parse and cross-check all seed files; raises SeedFormatError listing what is wrong."""
    data = SeedData(
        perspectives=_read_json(
            seed_dir / "perspectives.json", TypeAdapter(list[PerspectiveRecord])
        ),
        goals=_read_json(seed_dir / "goals.json", TypeAdapter(list[GoalRecord])),
        indicators=_read_json(seed_dir / "indicators.json", TypeAdapter(list[IndicatorRecord])),
        measurements=_read_table(seed_dir / "measurements.csv", MeasurementRecord),
        units=_read_json(seed_dir / "units.json", TypeAdapter(list[UnitRecord])),
        milestones=_read_json(seed_dir / "milestones.json", TypeAdapter(list[MilestoneRecord])),
        targets=_read_json(seed_dir / "targets.json", TypeAdapter(list[TargetRecord])),
        polarities=_read_table(seed_dir / "polarity.tsv", PolarityRecord, delimiter="\t"),
    )
    problems = _cross_check(data)
    if problems:
        raise SeedFormatError("\n".join(problems))
    return data


def _duplicates(values: list[Any]) -> set[Any]:
    seen: set[Any] = set()
    return {value for value in values if value in seen or seen.add(value)}


def _cross_check(data: SeedData) -> list[str]:
    problems = []
    perspective_codes = {perspective.code for perspective in data.perspectives}
    goal_codes = {goal.code for goal in data.goals}
    metric_codes = {metric.code for ind in data.indicators for metric in ind.metrics}
    checks = {
        "perspective code": [p.code for p in data.perspectives],
        "perspective slug": [p.slug for p in data.perspectives],
        "goal code": [g.code for g in data.goals],
        "goal order": [g.order for g in data.goals],
        "indicator code": [i.code for i in data.indicators],
        "metric code": [m.code for i in data.indicators for m in i.metrics],
        "measurement (metric, period, source)": [
            (m.metric_code, m.period, m.source) for m in data.measurements
        ],
        "polarity reading": [p.metric for p in data.polarities],
    }
    for what, values in checks.items():
        for duplicate in sorted(_duplicates(values), key=str):
            problems.append(f"duplicate {what}: {duplicate}")
    for goal in data.goals:
        if goal.perspective_code not in perspective_codes:
            problems.append(f"goal {goal.code}: unknown perspective {goal.perspective_code}")
        for reference in goal.cross_references:
            if reference not in goal_codes:
                problems.append(f"goal {goal.code}: cross-reference to unknown goal {reference}")
        for status in goal.statuses:
            for other in status.shared_with:
                if other not in goal_codes:
                    problems.append(f"goal {goal.code}: status shared with unknown goal {other}")
    for indicator in data.indicators:
        if indicator.perspective_code not in perspective_codes:
            problems.append(
                f"indicator {indicator.code}: unknown perspective {indicator.perspective_code}"
            )
    read = {polarity.metric for polarity in data.polarities}
    for code in sorted(read - metric_codes):
        problems.append(f"polarity of unknown metric {code}")
    for code in sorted(metric_codes - read):
        problems.append(f"metric {code}: no polarity reading in polarity.tsv")
    for measurement in data.measurements:
        if measurement.metric_code not in metric_codes:
            problems.append(
                f"measurement {measurement.metric_code} {measurement.period}: unknown metric"
            )
    problems.extend(_check_units(data))
    problems.extend(_check_milestones(data))
    problems.extend(_check_targets(data))
    return problems


def _check_units(data: SeedData) -> list[str]:
    problems = [
        f"duplicate unit code: {code}" for code in _duplicates([u.code for u in data.units])
    ]
    unit_codes = {unit.code for unit in data.units}
    for indicator in data.indicators:
        for metric in indicator.metrics:
            if metric.unit not in unit_codes:
                problems.append(f"metric {metric.code}: unit {metric.unit} is not in units.json")
    for target in data.targets:
        if target.unit is not None and target.unit not in unit_codes:
            problems.append(
                f"target of {target.goal_code}: unit {target.unit} is not in units.json"
            )
    return problems


def _statuses_by_key(data: SeedData) -> dict[tuple, StatusRecord]:
    return {
        (goal.code, status.as_of, status.source): status
        for goal in data.goals
        for status in goal.statuses
    }


def _check_milestones(data: SeedData) -> list[str]:
    problems = []
    statuses = _statuses_by_key(data)
    for index, milestone in enumerate(data.milestones):
        place = f"milestones[{index}] ({milestone.goal_code} {milestone.date})"
        status = statuses.get((milestone.goal_code, milestone.as_of, milestone.source))
        if status is None:
            problems.append(f"{place}: no status of that goal with that asOf and source")
        elif milestone.quote not in status.text:
            problems.append(f"{place}: quote is not in the status text")
    return problems


def _check_targets(data: SeedData) -> list[str]:
    problems = []
    goals = {goal.code: goal for goal in data.goals}
    statuses = _statuses_by_key(data)
    metrics = {metric.code: metric for ind in data.indicators for metric in ind.metrics}
    for index, target in enumerate(data.targets):
        place = f"targets[{index}] ({target.goal_code})"
        goal = goals.get(target.goal_code)
        if goal is None:
            problems.append(f"{place}: unknown goal")
            continue
        if target.source == "goal":
            text = goal.text
        else:
            status = statuses.get((target.goal_code, target.as_of, target.status_source))
            text = status.text if status is not None else None
        if text is None:
            problems.append(f"{place}: no status of that goal with that asOf and source")
        elif target.quote not in text:
            problems.append(f"{place}: quote is not in the {target.source} text")
        if target.metric_code is not None and target.metric_code not in metrics:
            problems.append(f"{place}: unknown metric {target.metric_code}")
    return problems


def _upsert(
    session: Session, report: SeedReport, model: type[SQLModel], key: dict, values: dict
) -> SQLModel:
    """Insert the row with this key, or update the columns that differ; no-op when equal."""
    table = model.__tablename__
    row = session.exec(select(model).filter_by(**key)).first()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        report.count("inserted", table)
        return row
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        session.add(row)
        report.count("updated", table)
    return row


def _replace_children(
    session: Session,
    report: SeedReport,
    model: type[SQLModel],
    parent: dict,
    wanted: list[dict],
) -> None:
    """Make the child rows of one parent exactly `wanted`, touching nothing when they match."""
    existing = session.exec(select(model).filter_by(**parent)).all()
    columns = list(wanted[0].keys()) if wanted else []
    current = sorted(tuple(getattr(row, c) for c in columns) for row in existing)
    target = sorted(tuple(row[c] for c in columns) for row in wanted)
    if current == target and len(existing) == len(wanted):
        return
    for row in existing:
        session.delete(row)
    session.flush()
    for row in wanted:
        session.add(model(**parent, **row))
    report.count("updated" if existing else "inserted", model.__tablename__)


def load_seed(session: Session, data: SeedData) -> SeedReport:
    """Write the seed into the database in one transaction and commit it."""
    report = SeedReport()
    for perspective in data.perspectives:
        _upsert(
            session,
            report,
            Perspective,
            {"code": perspective.code},
            perspective.model_dump(exclude={"code"}),
        )
    session.flush()
    goals = sorted(data.goals, key=lambda goal: goal.order)
    # Positions are unique; moving goals around in one go could collide, so park them first.
    _park_positions_if_reordered(session, Goal, {g.code: g.order for g in goals})
    for goal in goals:
        _upsert(
            session,
            report,
            Goal,
            {"code": goal.code},
            {"perspective_code": goal.perspective_code, "position": goal.order, "text": goal.text},
        )
    session.flush()
    for goal in goals:
        _replace_children(
            session,
            report,
            GoalCrossReference,
            {"goal_code": goal.code},
            [
                {"referenced_goal_code": code, "position": index}
                for index, code in enumerate(goal.cross_references, start=1)
            ],
        )
        _replace_children(
            session,
            report,
            GoalLink,
            {"goal_code": goal.code},
            [{"position": index, "url": url} for index, url in enumerate(goal.links, start=1)],
        )
        for status in goal.statuses:
            # A seeded status is identified by its goal, date and source document; entries that
            # tools wrote or corrections (an author, a superseded entry) are never the seed's.
            _upsert(
                session,
                report,
                StatusUpdate,
                {
                    "goal_code": goal.code,
                    "as_of": status.as_of,
                    "source": status.source,
                    "author": None,
                    "supersedes_id": None,
                },
                status.model_dump(exclude={"as_of", "source"}),
            )
    _park_positions_if_reordered(
        session, Unit, {unit.code: pos for pos, unit in enumerate(data.units, start=1)}
    )
    for position, unit in enumerate(data.units, start=1):
        _upsert(
            session,
            report,
            Unit,
            {"code": unit.code},
            {"position": position} | unit.model_dump(exclude={"code"}),
        )
    _park_positions_if_reordered(
        session, Indicator, {ind.code: pos for pos, ind in enumerate(data.indicators, start=1)}
    )
    for position, indicator in enumerate(data.indicators, start=1):
        _upsert(
            session,
            report,
            Indicator,
            {"code": indicator.code},
            {
                "perspective_code": indicator.perspective_code,
                "position": position,
                "name": indicator.name,
                "note": indicator.note,
            },
        )
    session.flush()
    polarities = {reading.metric: reading for reading in data.polarities}
    for indicator in data.indicators:
        for position, metric in enumerate(indicator.metrics, start=1):
            reading = polarities[metric.code]
            _upsert(
                session,
                report,
                Metric,
                {"code": metric.code},
                {
                    "indicator_code": indicator.code,
                    "position": position,
                    "polarity": reading.polarity,
                    "polarity_reason": reading.reason,
                    "polarity_evidence": reading.evidence,
                }
                | metric.model_dump(exclude={"code"}),
            )
    session.flush()
    for measurement in data.measurements:
        key = {
            "metric_code": measurement.metric_code,
            "period": measurement.period,
            "source": measurement.source,
        }
        existing = session.exec(select(Measurement).filter_by(**key)).first()
        if existing is not None and existing.author is not None:
            # Written later by a tool or an imported report: its versions are history that a
            # re-seed must not overwrite.
            continue
        _upsert(
            session,
            report,
            Measurement,
            # A period may have figures from two sources, so the source is part of the key.
            {
                "metric_code": measurement.metric_code,
                "period": measurement.period,
                "source": measurement.source,
            },
            measurement.model_dump(exclude={"metric_code", "period", "source"}),
        )
    session.flush()
    _load_milestones(session, report, data)
    _load_targets(session, report, data)
    session.commit()
    return report


def _seeded_status_ids(session: Session) -> dict[tuple, int]:
    """(goal, asOf, source) -> id of the seeded status (the loader's own key for statuses)."""
    rows = session.exec(
        select(StatusUpdate).where(
            StatusUpdate.author.is_(None), StatusUpdate.supersedes_id.is_(None)
        )
    )
    return {(row.goal_code, row.as_of, row.source): row.id for row in rows}


def _load_milestones(session: Session, report: SeedReport, data: SeedData) -> None:
    """Each seeded status gets exactly the milestones the seed lists for it (shared statuses
    are one row per goal, so each goal has its own)."""
    status_ids = _seeded_status_ids(session)
    wanted: dict[tuple[str, int], list[dict]] = {
        (goal.code, status_ids[(goal.code, status.as_of, status.source)]): []
        for goal in data.goals
        for status in goal.statuses
    }
    for milestone in data.milestones:
        status_id = status_ids[(milestone.goal_code, milestone.as_of, milestone.source)]
        wanted[(milestone.goal_code, status_id)].append(milestone_row(milestone))
    for (goal_code, status_id), rows in wanted.items():
        _replace_children(
            session,
            report,
            Milestone,
            {"goal_code": goal_code, "status_id": status_id},
            [{"position": index} | row for index, row in enumerate(rows, start=1)],
        )


def _load_targets(session: Session, report: SeedReport, data: SeedData) -> None:
    """Targets are the seed's alone: each goal gets exactly the targets the seed lists."""
    status_ids = _seeded_status_ids(session)
    wanted: dict[str, list[dict]] = {goal.code: [] for goal in data.goals}
    for target in data.targets:
        status_id = (
            status_ids[(target.goal_code, target.as_of, target.status_source)]
            if target.source == "status"
            else None
        )
        wanted[target.goal_code].append(
            {
                "source": target.source,
                "status_id": status_id,
                "quote": target.quote,
                "value": target.value,
                "unit": target.unit,
                "deadline": target.deadline,
                "deadline_precision": target.deadline_precision,
                "metric_code": target.metric_code,
                "note": target.note,
            }
        )
    for goal_code, rows in wanted.items():
        _replace_children(
            session,
            report,
            Target,
            {"goal_code": goal_code},
            [{"position": index} | row for index, row in enumerate(rows, start=1)],
        )


def _park_positions_if_reordered(
    session: Session, model: type[Goal] | type[Indicator] | type[Unit], wanted: dict[str, int]
) -> None:
    rows = session.exec(select(model)).all()
    if all(wanted.get(row.code, row.position) == row.position for row in rows):
        return
    for row in rows:
        row.position = -row.position
        session.add(row)
    session.flush()


def database_is_empty(session: Session) -> bool:
    return session.exec(select(Perspective).limit(1)).first() is None


def seed_database(session: Session, seed_dir: Path) -> SeedReport:
    return load_seed(session, read_seed(seed_dir))
