"""The seed's record formats (seed/README.md): one pydantic model per kind of record, as the
seed files, an imported report and the write API hold it; and the seed as read, `SeedData`.
The loader is app/seed.py."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

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
from app.schemas import (
    MeasurementStatus,
    MilestoneBody,
    MilestoneKind,
    PeriodType,
    Polarity,
    Progress,
    TargetSource,
)

UnitCode = Annotated[str, Field(pattern=r"^[a-z][A-Za-z0-9]*$", max_length=50)]
NonEmpty = Annotated[str, Field(min_length=1)]
PerspectiveLetter = Annotated[str, Field(pattern=whole(PERSPECTIVE_LETTER))]
MetricCode = Annotated[str, Field(pattern=whole(METRIC_CODE))]
# A field called `date` cannot be annotated with the name `date` in its own class.
IsoDate = date


class SeedModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class PerspectiveRecord(SeedModel):
    code: PerspectiveLetter
    number: NonEmpty
    name: NonEmpty
    slug: Annotated[str, Field(pattern=whole(PERSPECTIVE_SLUG))]
    description: NonEmpty


class StatusRecord(SeedModel):
    as_of: date
    as_of_label: NonEmpty
    text: NonEmpty
    source: str | None = None
    shared_with: list[str] = []
    progress: Progress | None = None
    progress_evidence: str | None = None


class GoalRecord(SeedModel):
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


class MetricRecord(SeedModel):
    code: MetricCode
    name: NonEmpty
    breakdown: str | None = None
    unit: UnitCode
    source: str | None = None
    notes: list[str] = []
    line: int | None = None


class PolarityRecord(SeedModel):
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


class IndicatorRecord(SeedModel):
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


class MeasurementRecord(SeedModel):
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


class UnitRecord(SeedModel):
    code: UnitCode
    label_nl: NonEmpty
    label_en: NonEmpty
    ucum: Annotated[str, Field(min_length=1, max_length=50)] | None
    description: NonEmpty


class MilestoneFields(SeedModel):
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


class TargetRecord(SeedModel):
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
