"""Reading a report file for `coalition-monitor import`, one record at a time.

The file is one JSON document (see README, "Importing a report"):

    {"title": "...", "note": "...",
     "statuses": [{"goalCode": "C4", "asOf": "2022-06-30", "asOfLabel": "juni 2022",
                   "text": "...", "source": "...", "progress": "inProgress",
                   "progressEvidence": "...", "sharedWith": []}],
     "measurements": [{"metricCode": "M1.1", "period": "2022", "periodType": "year",
                       "periodStart": 2022, "periodEnd": 2022, "value": 31, "valueText": "31",
                       "status": "final", "source": null, "footnote": null, "line": null}]}

A status is a goals.json status plus `goalCode`; a measurement is a measurements.csv row as a
JSON object (`source`, `footnote` and `line` may be left out).

A file of a thousand reports is far larger than what a worker should hold, so it is parsed as
a stream (ijson): each record is validated on its own and handed on, and memory stays bounded
by the record, not the file.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any

import ijson
from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError

from app.core.config import TextLimits
from app.schemas import TEXT_LIMITS, CheckedShortText, CheckedText, ShortText, Text
from app.seed_records import MeasurementRecord, MilestoneFields, StatusRecord

SECTIONS = ("statuses", "measurements")
TOP_LEVEL_TEXT = ("title", "note")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ReportImportError(Exception):
    """The file cannot be imported; the message lists every problem with its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _date_as_text(value: Any) -> Any:
    # A number is not a date, nor a datetime a day: only the JSON text `YYYY-MM-DD`.
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


class ImportedStatus(StatusRecord):
    goal_code: Annotated[str, Field(min_length=1)]
    as_of: Annotated[date, BeforeValidator(_date_as_text)]
    # Texts are capped as in the write API (no NUL, at most the configured length).
    as_of_label: Annotated[str, Field(min_length=1, max_length=100), CheckedShortText]
    text: Annotated[str, Field(min_length=1), CheckedText]
    source: ShortText | None = None
    progress_evidence: Text | None = None
    # The dated steps the text prints; each quote must occur in the text.
    milestones: list[MilestoneFields] = Field(default_factory=list)


class ImportedMeasurement(MeasurementRecord):
    # Strict: "12" is text, not a number.
    value: float | None = Field(strict=True, allow_inf_nan=False)
    value_text: ShortText | None
    source: ShortText | None = None
    footnote: Text | None = None
    line: int | None = None


RECORD_TYPES = {"statuses": ImportedStatus, "measurements": ImportedMeasurement}
# The file's own texts: the title is a label, the note prose.
TOP_LEVEL_TYPES = {"title": TypeAdapter(ShortText), "note": TypeAdapter(Text)}


@dataclass(frozen=True)
class Entry:
    """One record of a section, or the problems that make it unusable."""

    section: str
    index: int
    record: ImportedStatus | ImportedMeasurement | None
    problems: list[str]

    @property
    def place(self) -> str:
        return f"{self.section}[{self.index}]"


def place(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def validation_problems(prefix: tuple[Any, ...], error: ValidationError) -> list[str]:
    return [
        f"{place(prefix + tuple(item['loc']))}: {item['msg'].removeprefix('Value error, ')}"
        for item in error.errors()
    ]


def check_outline(path: Path, opener: Callable[[Path], IO[bytes]], text_limits: TextLimits) -> None:
    """The document is an object of known keys: a misspelt section must not import nothing."""
    problems = []
    try:
        with opener(path) as handle:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "" and event == "map_key" and value not in SECTIONS + TOP_LEVEL_TEXT:
                    problems.append(f"{value}: unknown property")
                elif prefix == "" and event == "start_array":
                    problems.append("(file): the document must be a JSON object")
                elif prefix in SECTIONS and event not in ("start_array", "end_array"):
                    problems.append(f"{prefix}: must be a list")
                elif prefix in TOP_LEVEL_TEXT and event == "string":
                    problems += _text_problems(prefix, value, text_limits)
                elif prefix in TOP_LEVEL_TEXT and event != "null":
                    problems.append(f"{prefix}: must be text")
    except OSError as error:
        raise ReportImportError([f"cannot read {path}: {error.strerror or error}"]) from error
    except ijson.JSONError as error:
        raise ReportImportError([f"(file): not valid JSON ({error})"]) from error
    return problems


def _text_problems(name: str, value: str, text_limits: TextLimits) -> list[str]:
    try:
        TOP_LEVEL_TYPES[name].validate_python(value, context={TEXT_LIMITS: text_limits})
    except ValidationError as error:
        return validation_problems((name,), error)
    return []


def entries(
    path: Path, section: str, opener: Callable[[Path], IO[bytes]], text_limits: TextLimits
) -> Iterator[Entry]:
    """The records of one section, in file order, each validated on its own."""
    record_type = RECORD_TYPES[section]
    context = {TEXT_LIMITS: text_limits}
    try:
        with opener(path) as handle:
            for index, raw in enumerate(ijson.items(handle, f"{section}.item", use_float=True)):
                try:
                    record = record_type.model_validate(raw, context=context)
                    yield Entry(section, index, record, [])
                except ValidationError as error:
                    yield Entry(section, index, None, validation_problems((section, index), error))
    except ijson.JSONError as error:
        raise ReportImportError([f"(file): not valid JSON ({error})"]) from error
