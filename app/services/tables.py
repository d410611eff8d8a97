"""The dataset as flat, normalised tables joined by codes, and their Frictionless description.

One table per kind of record; a list inside a record (a goal's cross-references and links, a
status's shared goals, a metric's notes) becomes a table of its own with one row per entry, so
every cell holds one value. The same tables are the CSV files of the ZIP export and the
per-table downloads, and `data_package` describes them as a Frictionless Data Package (Table
Schema with types, enums, primary and foreign keys).

Two CSV dialects: `csv` (RFC 4180: comma, decimal point, UTF-8) for programs, and `csv-excel`
for a spreadsheet with a Dutch locale (UTF-8 byte order mark, `;`, decimal comma), which Excel
opens with the columns split and the numbers as numbers.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, get_args

from app.core.partial_dates import DatePrecision
from app.core.representations import inert_text
from app.schemas import (
    MeasurementStatus,
    MilestoneBody,
    MilestoneKind,
    PeriodType,
    Progress,
    TargetSource,
)
from app.services.export import Dataset
from app.services.write_support import as_utc

LICENSE = {
    "name": "CC0-1.0",
    "path": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl",
    "title": "Creative Commons Zero v1.0 Universal",
}
SOURCE = {
    "title": "Hoofdlijnenakkoord coalitie 2018 - 2022, stand van zaken februari 2022 "
    "(gemeente Maastricht)",
    "path": "https://www.gemeentemaastricht.nl",
}
MISSING_VALUES = [""]
# Rows encoded at a time when a table is streamed.
CSV_BATCH_ROWS = 500

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None

    def descriptor(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[Dataset], Iterable[Row]]
    # The list of the Dataset the rows come from.
    part: str
    # (columns here, table referred to, its columns)
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict[str, Any]:
        return {
            "fields": [column.descriptor() for column in self.columns],
            "missingValues": MISSING_VALUES,
            "primaryKey": list(self.primary_key),
            "foreignKeys": [
                {
                    "fields": list(columns),
                    # An empty resource name refers to this table itself.
                    "reference": {
                        "resource": "" if table == self.name else table,
                        "fields": list(referred),
                    },
                }
                for columns, table, referred in self.foreign_keys
            ],
        }


def _code(name: str, what: str) -> Column:
    return Column(name, "string", what, required=True)


def _text(name: str, what: str, required: bool = False) -> Column:
    return Column(name, "string", what, required=required)


def _integer(name: str, what: str, required: bool = True) -> Column:
    return Column(name, "integer", what, required=required)


def _perspective_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.perspectives:
        record = view.perspective
        yield record.code, record.number, record.slug, record.name, record.description


def _goal_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.goals:
        record = view.goal
        yield record.code, record.perspective_code, record.position, record.text


def _cross_reference_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.goals:
        for position, code in enumerate(view.cross_references, start=1):
            yield view.goal.code, position, code


def _goal_link_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.goals:
        for position, url in enumerate(view.links, start=1):
            yield view.goal.code, position, url


def _status_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.statuses:
        record = view.status
        yield (
            record.id,
            record.goal_code,
            record.as_of,
            record.as_of_label,
            record.text,
            record.progress,
            record.progress_evidence,
            record.source,
            record.author,
            as_utc(record.recorded_at),
            record.supersedes_id,
            view.superseded_by,
            view.superseded_by is not None,
        )


def _shared_goal_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.statuses:
        for position, code in enumerate(view.status.shared_with or [], start=1):
            yield view.status.id, position, code


def _indicator_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.indicators:
        record = view.indicator
        yield record.code, record.perspective_code, record.position, record.name, record.note


def _metric_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.metrics:
        record = view.metric
        yield (
            record.code,
            record.indicator_code,
            record.position,
            record.name,
            record.breakdown,
            record.unit,
            record.source,
        )


def _metric_note_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.metrics:
        for position, note in enumerate(view.metric.notes or [], start=1):
            yield view.metric.code, position, note


def _measurement_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.measurements:
        record = view.measurement
        yield (
            record.metric_code,
            view.metric.indicator_code,
            record.period,
            record.period_type,
            record.period_start,
            record.period_end,
            record.value,
            record.value_text,
            record.status,
            view.source,
            record.footnote,
            view.metric.unit,
        )


def _unit_rows(dataset: Dataset) -> Iterable[Row]:
    for record in dataset.units:
        yield record.code, record.label_nl, record.label_en, record.ucum, record.description


def _milestone_rows(dataset: Dataset) -> Iterable[Row]:
    for record in dataset.milestones:
        yield (
            record.id,
            record.goal_code,
            record.status_id,
            record.date_start,
            record.date_precision,
            record.kind,
            record.body,
            record.quote,
        )


def _target_rows(dataset: Dataset) -> Iterable[Row]:
    for view in dataset.targets:
        record = view.target
        yield (
            record.goal_code,
            record.position,
            record.source,
            record.status_id,
            record.quote,
            record.value,
            record.unit,
            record.deadline,
            record.deadline_precision,
            record.metric_code,
            record.note,
        )


TABLES: tuple[Table, ...] = (
    Table(
        "perspectives",
        "Perspectives",
        "The seven perspectives (chapters) of the report, A..G.",
        (
            _code("code", "`A`..`G`."),
            _text("number", "Section number in the report, e.g. `2.1`.", required=True),
            _text("slug", "The perspective's name as a URL segment.", required=True),
            _text("name", "The perspective's title in the report.", required=True),
            _text("description", "The perspective's introduction in the report.", required=True),
        ),
        ("code",),
        _perspective_rows,
        "perspectives",
    ),
    Table(
        "goals",
        "Goals",
        "The goals of the coalition agreement, in report order.",
        (
            _code("code", "Goal code, e.g. `A1`."),
            _code("perspectiveCode", "The perspective the goal belongs to."),
            _integer("order", "Position of the goal in the report (1..120)."),
            _text("text", "The goal as the report words it.", required=True),
        ),
        ("code",),
        _goal_rows,
        "goals",
        ((("perspectiveCode",), "perspectives", ("code",)),),
    ),
    Table(
        "goal-cross-references",
        "Goal cross-references",
        "Goals that a goal's texts refer to, one row per reference.",
        (
            _code("goalCode", "The referring goal."),
            _integer("position", "Order of the reference within the goal (1, 2, ...)."),
            _code("referencedGoalCode", "The goal referred to."),
        ),
        ("goalCode", "position"),
        _cross_reference_rows,
        "goals",
        (
            (("goalCode",), "goals", ("code",)),
            (("referencedGoalCode",), "goals", ("code",)),
        ),
    ),
    Table(
        "goal-links",
        "Goal links",
        "Hyperlinks printed with a goal, one row per link.",
        (
            _code("goalCode", "The goal."),
            _integer("position", "Order of the link within the goal (1, 2, ...)."),
            _text("url", "The hyperlink as printed.", required=True),
        ),
        ("goalCode", "position"),
        _goal_link_rows,
        "goals",
        ((("goalCode",), "goals", ("code",)),),
    ),
    Table(
        "statuses",
        "Status updates",
        "Every status update of every goal (goals in report order, each history oldest first); "
        "corrections keep the entry they supersede.",
        (
            _integer("id", "Identifier of the status update."),
            _code("goalCode", "The goal the status describes."),
            Column("asOf", "date", "The date the status describes.", required=True),
            _text("asOfLabel", "The date as printed, e.g. `februari 2022`.", required=True),
            _text("text", "The status text.", required=True),
            Column(
                "progress",
                "string",
                "Editorial reading of the status text; read it with `progressEvidence`.",
                enum=get_args(Progress),
            ),
            _text("progressEvidence", "Verbatim phrase of the text that justifies `progress`."),
            _text("source", "The document the status is from."),
            _text("author", "Who wrote it through the API (empty for the report's own)."),
            Column("recordedAt", "datetime", "When the service stored it (UTC)."),
            _integer("supersedes", "Id of the entry this one corrects.", required=False),
            _integer("supersededBy", "Id of the entry that corrects this one.", required=False),
            Column(
                "superseded",
                "boolean",
                "True when a later entry corrects this one.",
                required=True,
            ),
        ),
        ("id",),
        _status_rows,
        "statuses",
        (
            (("goalCode",), "goals", ("code",)),
            (("supersedes",), "statuses", ("id",)),
            (("supersededBy",), "statuses", ("id",)),
        ),
    ),
    Table(
        "status-shared-goals",
        "Status updates shared by goals",
        "Other goals that share a status update's printed block, one row per goal.",
        (
            _integer("statusId", "The status update."),
            _integer("position", "Order of the goal within the status (1, 2, ...)."),
            _code("goalCode", "A goal that shares the status."),
        ),
        ("statusId", "position"),
        _shared_goal_rows,
        "statuses",
        (
            (("statusId",), "statuses", ("id",)),
            (("goalCode",), "goals", ("code",)),
        ),
    ),
    Table(
        "indicators",
        "Indicators",
        "The indicators (M1..M21) of the report.",
        (
            _code("code", "Indicator code, e.g. `M5`."),
            _code("perspectiveCode", "The perspective the indicator belongs to."),
            _integer("order", "Position of the indicator in the report."),
            _text("name", "The indicator's name.", required=True),
            _text("note", "The indicator's note in the report."),
        ),
        ("code",),
        _indicator_rows,
        "indicators",
        ((("perspectiveCode",), "perspectives", ("code",)),),
    ),
    Table(
        "metrics",
        "Metrics",
        "What each indicator measures, one row per metric (table column in the report).",
        (
            _code("code", "Metric code, e.g. `M5.1`."),
            _code("indicatorCode", "The indicator the metric belongs to."),
            _integer("order", "Position of the metric within its indicator."),
            _text("name", "The metric's name.", required=True),
            _text("breakdown", "The breakdown the metric is one part of."),
            _text("unit", "The unit of the metric's values.", required=True),
            _text("source", "The metric's source."),
        ),
        ("code",),
        _metric_rows,
        "metrics",
        ((("indicatorCode",), "indicators", ("code",)),),
    ),
    Table(
        "metric-notes",
        "Metric notes",
        "Notes printed with a metric, one row per note.",
        (
            _code("metricCode", "The metric."),
            _integer("position", "Order of the note within the metric (1, 2, ...)."),
            _text("note", "The note as printed.", required=True),
        ),
        ("metricCode", "position"),
        _metric_note_rows,
        "metrics",
        ((("metricCode",), "metrics", ("code",)),),
    ),
    Table(
        "measurements",
        "Measurements",
        "Every figure of every metric, one row per metric, period and source.",
        (
            _code("metricCode", "The metric measured."),
            _code("indicatorCode", "The metric's indicator."),
            _text("period", "The period as printed: `2018`, `2018-2019`, `2014–2018`.", True),
            Column("periodType", "string", "Kind of period.", True, get_args(PeriodType)),
            _integer("periodStart", "First year the period covers."),
            _integer("periodEnd", "Last year the period covers."),
            Column("value", "number", "The figure, in the unit of column `unit`; empty when none."),
            _text("valueText", "The cell as printed."),
            Column("status", "string", "Status of the figure.", True, get_args(MeasurementStatus)),
            _text("source", "The measurement's source, else its metric's."),
            _text("footnote", "The figure's footnote."),
            _text("unit", "The unit of `value` (the metric's unit).", required=True),
        ),
        ("metricCode", "period", "source"),
        _measurement_rows,
        "measurements",
        (
            (("metricCode",), "metrics", ("code",)),
            (("indicatorCode",), "indicators", ("code",)),
        ),
    ),
    Table(
        "units",
        "Units",
        "The unit vocabulary: every unit a metric's values or a target are given in.",
        (
            _code("code", "Unit code, e.g. `percent`."),
            _text("labelNl", "Dutch label.", required=True),
            _text("labelEn", "English label.", required=True),
            _text("ucum", "The UCUM code, where one exists."),
            _text("description", "What the unit means.", required=True),
        ),
        ("code",),
        _unit_rows,
        "units",
    ),
    Table(
        "milestones",
        "Milestones",
        "The dated steps printed in the status texts (editorial reading, with the verbatim "
        "quote), ordered by date.",
        (
            _integer("id", "Identifier of the milestone."),
            _code("goalCode", "The goal whose status prints it."),
            _integer("statusId", "The status update it is quoted from."),
            Column(
                "date", "date", "The date, or the first day of the month or year printed.", True
            ),
            Column(
                "datePrecision",
                "string",
                "How exact the printed date is.",
                True,
                get_args(DatePrecision),
            ),
            Column("kind", "string", "Kind of step.", True, get_args(MilestoneKind)),
            Column("body", "string", "Body that takes the step.", enum=get_args(MilestoneBody)),
            _text("quote", "The words of the status that say it, date as printed.", required=True),
        ),
        ("id",),
        _milestone_rows,
        "milestones",
        (
            (("goalCode",), "goals", ("code",)),
            (("statusId",), "statuses", ("id",)),
        ),
    ),
    Table(
        "targets",
        "Targets",
        "Measurable levels and deadlines stated in goal texts (and status texts), with the "
        "verbatim quote.",
        (
            _code("goalCode", "The goal that states it."),
            _integer("position", "Order of the target within its goal."),
            Column(
                "source",
                "string",
                "Stated in the goal text or a status.",
                True,
                get_args(TargetSource),
            ),
            _integer("statusId", "For a target stated in a status: that status.", required=False),
            _text("quote", "The words that state it.", required=True),
            Column("value", "number", "The level, in `unit`; empty for a deadline alone."),
            _text("unit", "The unit of `value`."),
            Column(
                "deadline", "date", "The deadline, or the first day of the month or year printed."
            ),
            Column(
                "deadlinePrecision",
                "string",
                "How exact the deadline is.",
                enum=get_args(DatePrecision),
            ),
            _text("metricCode", "The report's metric that measures it, if any."),
            _text("note", "Editorial note."),
        ),
        ("goalCode", "position"),
        _target_rows,
        "targets",
        (
            (("goalCode",), "goals", ("code",)),
            (("statusId",), "statuses", ("id",)),
            (("unit",), "units", ("code",)),
            (("metricCode",), "metrics", ("code",)),
        ),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    byte_order_mark: bool


DIALECTS = {
    "csv": Dialect(delimiter=",", decimal=".", byte_order_mark=False),
    "csv-excel": Dialect(delimiter=";", decimal=",", byte_order_mark=True),
}


def _cell(value: Any, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Plain notation from the shortest repr (never 1e-05); integral figures without `.0`.
        number = Decimal(repr(value))
        text = format(number.to_integral(), "f") if value.is_integer() else format(number, "f")
        return text.replace(".", dialect.decimal)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return inert_text(str(value))


def table_csv(table: Table, dataset: Dataset, dialect_name: str = "csv") -> bytes:
    return b"".join(table_csv_chunks(table, dataset, dialect_name))


def table_csv_chunks(
    table: Table, dataset: Dataset, dialect_name: str = "csv", batch: int = CSV_BATCH_ROWS
) -> Iterator[bytes]:
    """The table as CSV, `batch` rows at a time (the header comes with the first rows)."""
    dialect = DIALECTS[dialect_name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    if dialect.byte_order_mark:
        buffer.write("\ufeff")
    writer.writerow([column.name for column in table.columns])
    for count, row in enumerate(table.rows(dataset), start=1):
        writer.writerow([_cell(value, dialect) for value in row])
        if count % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def data_package(path_of: Callable[[Table], str]) -> dict[str, Any]:
    """The Frictionless descriptor; `path_of` gives each table's path (a file name or URL)."""
    return {
        "name": "coalition-monitor-maastricht-2018-2022",
        "title": "Voortgang Hoofdlijnenakkoord coalitie Maastricht 2018-2022",
        "description": "Goals, status updates, indicators and measurements of the Maastricht "
        "coalition-agreement progress report (February 2022) as normalised tables joined by "
        "codes.",
        "licenses": [LICENSE],
        "sources": [SOURCE],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": path_of(table),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": table.schema(),
            }
            for table in TABLES
        ],
    }


def package_files(dataset: Dataset) -> dict[str, bytes]:
    """The files of the ZIP export: every table as CSV, and the descriptor beside them."""
    return {name: b"".join(pieces) for name, pieces in package_file_chunks(dataset)}


def package_file_chunks(dataset: Dataset) -> Iterator[tuple[str, Iterator[bytes]]]:
    """`package_files` as (name, content in pieces), each table read as it is written."""
    for table in TABLES:
        yield table.file_name, table_csv_chunks(table, dataset)
    descriptor = data_package(lambda table: table.file_name)
    yield "datapackage.json", iter([json.dumps(descriptor, ensure_ascii=False, indent=2).encode()])
