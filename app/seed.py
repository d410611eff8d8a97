"""Load the seed files (seed/*.json, seed/measurements.csv, seed/polarity.tsv) into the database.

The files are validated as a whole before anything is written, and loading is idempotent:
rows are matched on their natural keys and only written when they differ, so running the
loader twice changes nothing. Rows that the seed does not mention are left alone, so data
written later through the API is never removed by a re-seed.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, SQLModel, select

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
from app.seed_records import (
    GoalRecord,
    IndicatorRecord,
    MeasurementRecord,
    MilestoneRecord,
    PerspectiveRecord,
    PolarityRecord,
    SeedData,
    SeedModel,
    StatusRecord,
    TargetRecord,
    UnitRecord,
)
from app.services.milestones import milestone_row


class SeedFormatError(Exception):
    """The seed files do not match the format in seed/README.md."""


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


def _read_table(path: Path, model: type[SeedModel], delimiter: str = ",") -> list[Any]:
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
