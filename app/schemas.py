"""The API's JSON shapes. Python names are snake_case; the wire format is lowerCamelCase."""

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

Progress = Literal["achieved", "inProgress", "delayed", "discontinued", "seeOther"]
PeriodType = Literal["year", "schoolYear", "multiYear"]
MeasurementStatus = Literal["final", "provisional", "notAvailable", "pending", "notReliable"]
Polarity = Literal["higherIsBetter", "lowerIsBetter"]
Direction = Literal["up", "down", "flat"]
Assessment = Literal["better", "worse", "unchanged"]


def _is_none(value: object) -> bool:
    return value is None


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Link(ApiModel):
    href: str = Field(description="Absolute URL.")


class SelfLinks(ApiModel):
    self_: Link = Field(alias="self")


class CollectionLinks(ApiModel):
    self_: Link = Field(alias="self", description="This page.")
    next: Link | None = Field(
        default=None,
        exclude_if=_is_none,
        description="The next page; absent on the last page.",
    )


class Problem(ApiModel):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    invalid_params: list[dict[str, str]] | None = Field(
        default=None,
        exclude_if=_is_none,
        description="For 400: each invalid parameter with `name` and `reason`.",
    )


class ProgressCounts(ApiModel):
    achieved: int
    in_progress: int
    delayed: int
    discontinued: int
    see_other: int
    none: int = Field(description="Goals without a progress reading at that day (no status yet).")


# --- perspectives -------------------------------------------------------------------------


class GoalSummary(ApiModel):
    code: str
    order: int
    text: str
    links_: SelfLinks = Field(alias="_links")


class IndicatorSummary(ApiModel):
    code: str
    name: str
    links_: SelfLinks = Field(alias="_links")


class PerspectiveLinks(ApiModel):
    self_: Link = Field(alias="self")
    goals: Link
    indicators: Link


class PerspectiveOut(ApiModel):
    code: str = Field(description="`A`..`G`.")
    number: str = Field(description="Section number in the report, e.g. `2.1`.")
    slug: str
    name: str
    description: str
    progress: ProgressCounts = Field(description="Its goals by current progress.")
    goals: list[GoalSummary]
    indicators: list[IndicatorSummary]
    links_: PerspectiveLinks = Field(alias="_links")


class PerspectiveCollection(ApiModel):
    items: list[PerspectiveOut]
    links_: CollectionLinks = Field(alias="_links")


# --- goals and statuses -------------------------------------------------------------------


class StatusLinks(ApiModel):
    self_: Link = Field(alias="self")
    goal: Link
    supersedes: Link | None = Field(
        default=None, exclude_if=_is_none, description="The entry this one corrects."
    )
    superseded_by: Link | None = Field(
        default=None, exclude_if=_is_none, description="The entry that corrects this one."
    )


class StatusUpdateOut(ApiModel):
    id: int
    goal_code: str
    as_of: date = Field(description="The date the status describes (ISO 8601).")
    as_of_label: str = Field(description="The date as printed, e.g. `februari 2022`.")
    text: str
    progress: Progress | None = Field(
        description="Editorial reading of the status text; read it with `progressEvidence`."
    )
    progress_evidence: str | None = Field(description="Verbatim phrase that justifies progress.")
    source: str | None
    shared_with: list[str] = Field(description="Other goals that share this printed status block.")
    author: str | None = Field(
        description="Name of the API key (or `import:<file>`) that wrote it; null for the seed."
    )
    recorded_at: datetime | None = Field(
        description="When the service stored it (server time, UTC); null for the seed."
    )
    supersedes: int | None = Field(description="Id of the entry this one corrects.")
    superseded_by: int | None = Field(description="Id of the entry that corrects this one.")
    superseded: bool = Field(
        description="True when a later entry corrects this one; it stays in the history."
    )
    links_: StatusLinks = Field(alias="_links")


class StatusCollection(ApiModel):
    items: list[StatusUpdateOut]
    links_: CollectionLinks = Field(alias="_links")


class GoalReference(ApiModel):
    code: str
    href: str


class GoalLinks(ApiModel):
    self_: Link = Field(alias="self")
    perspective: Link
    statuses: Link


class GoalOut(ApiModel):
    code: str
    perspective_code: str
    text: str
    order: int = Field(description="Position of the goal in the report (1..120).")
    latest_status: StatusUpdateOut | None
    cross_references: list[GoalReference] = Field(description="Goals this goal's texts refer to.")
    links: list[Link] = Field(description="Hyperlinks printed with the goal.")
    links_: GoalLinks = Field(alias="_links")


class GoalCollection(ApiModel):
    items: list[GoalOut]
    links_: CollectionLinks = Field(alias="_links")


# --- indicators, metrics, measurements ----------------------------------------------------


class MeasurementLinks(ApiModel):
    metric: Link
    indicator: Link


class MeasurementOut(ApiModel):
    metric_code: str
    indicator_code: str
    period: str = Field(description="As printed: `2018`, `2018-2019`, `2014–2018`.")
    period_type: PeriodType
    period_start: int = Field(description="First year the period covers.")
    period_end: int = Field(description="Last year the period covers.")
    value: float | None = Field(description="The number, or null when the report has none.")
    value_text: str | None = Field(description="The cell as printed.")
    status: MeasurementStatus
    source: str | None = Field(description="The measurement's source, else its metric's.")
    footnote: str | None
    unit: str
    links_: MeasurementLinks = Field(alias="_links")

    @field_serializer("value")
    def _integral_values_as_integers(self, value: float | None) -> float | int | None:
        # Counts are stored as floats; 7976 reads better than 7976.0 in every client.
        if value is not None and value.is_integer():
            return int(value)
        return value


class MeasurementCollection(ApiModel):
    items: list[MeasurementOut]
    links_: CollectionLinks = Field(alias="_links")


class MetricLinks(ApiModel):
    self_: Link = Field(alias="self")
    indicator: Link
    measurements: Link
    chart: Link = Field(description="The series as an SVG chart.")


def _number(value: float | None) -> float | int | None:
    # Counts are stored as floats; 7976 reads better than 7976.0 in every client.
    if value is not None and value.is_integer():
        return int(value)
    return value


class TrendPoint(ApiModel):
    period: str
    value: float
    status: MeasurementStatus = Field(description="`provisional` values may still change.")

    @field_serializer("value")
    def _integral_values_as_integers(self, value: float) -> float | int:
        return _number(value)


class TrendOut(ApiModel):
    latest: TrendPoint = Field(description="The latest numeric measurement.")
    previous: TrendPoint = Field(
        description="The latest earlier numeric measurement of the same kind of period "
        "(school year with school year, a window with a window of the same length)."
    )
    change: float = Field(description="`latest.value - previous.value`, in the metric's unit.")
    change_percent: float | None = Field(
        description="The change relative to `previous`, in percent (one decimal); null when "
        "`previous` is 0."
    )
    direction: Direction
    assessment: Assessment | None = Field(
        description="`direction` read with the metric's `polarity`; null without a polarity."
    )
    provisional: bool = Field(description="True when either value is provisional.")

    @field_serializer("change")
    def _integral_change_as_integer(self, value: float) -> float | int:
        return _number(value)


class MetricOut(ApiModel):
    code: str
    indicator_code: str
    name: str
    breakdown: str | None
    unit: str
    source: str | None
    notes: list[str]
    polarity: Polarity | None = Field(
        description="Editorial reading: which direction of the series is better; null where the "
        "report gives no basis. Read it with `polarityReason` and `polarityEvidence`."
    )
    polarity_reason: str | None = Field(description="Why (the project's words).")
    polarity_evidence: str | None = Field(description="Verbatim phrase of the report behind it.")
    trend: TrendOut | None = Field(
        description="Latest against previous comparable numeric value, from the whole series; "
        "null with fewer than two comparable numeric values."
    )
    measurements: list[MeasurementOut] | None = Field(
        default=None,
        exclude_if=_is_none,
        description="Ordered by period; present on a single indicator or metric.",
    )
    links_: MetricLinks = Field(alias="_links")


class MetricCollection(ApiModel):
    items: list[MetricOut]
    links_: CollectionLinks = Field(alias="_links")


class IndicatorLinks(ApiModel):
    self_: Link = Field(alias="self")
    perspective: Link
    measurements: Link
    chart: Link = Field(description="Its metrics' series as one SVG chart.")


class IndicatorOut(ApiModel):
    code: str
    perspective_code: str
    name: str
    note: str | None
    metrics: list[MetricOut]
    links_: IndicatorLinks = Field(alias="_links")


class IndicatorCollection(ApiModel):
    items: list[IndicatorOut]
    links_: CollectionLinks = Field(alias="_links")


# --- progress summaries -------------------------------------------------------------------


class PerspectiveProgressLinks(ApiModel):
    self_: Link = Field(alias="self", description="The perspective.")
    goals: Link = Field(description="Its goals, as counted here.")


class PerspectiveProgressOut(ApiModel):
    code: str
    name: str
    goals: int
    progress: ProgressCounts
    links_: PerspectiveProgressLinks = Field(alias="_links")


class SummaryLinks(ApiModel):
    self_: Link = Field(alias="self")
    goals: Link = Field(description="The goals counted here.")
    history: Link = Field(description="The summary at every status date.")


class SummaryOut(ApiModel):
    """Goal counts by progress, as /v1/goals with the same filters would count them."""

    # Its CSV is this document as one row (a history row has the same columns).
    csv_as_one_row: ClassVar[bool] = True

    as_of: date | None = Field(
        description="The day counted: `asOf` as asked, else the latest status date (the current "
        "state); null while no goal has a status."
    )
    goals: int
    progress: ProgressCounts
    perspectives: list[PerspectiveProgressOut]
    links_: SummaryLinks = Field(alias="_links")


class SummaryHistory(ApiModel):
    items: list[SummaryOut] = Field(description="One summary per status date, oldest first.")
    links_: CollectionLinks = Field(alias="_links")


# --- landing ------------------------------------------------------------------------------


class LandingLinks(ApiModel):
    self_: Link = Field(alias="self")
    perspectives: Link
    goals: Link
    indicators: Link
    metrics: Link
    measurements: Link
    summary: Link
    openapi: Link
    docs: Link


class Landing(ApiModel):
    name: str
    version: str
    description: str
    links_: LandingLinks = Field(alias="_links")


# --- writes -------------------------------------------------------------------------------

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class WriteModel(ApiModel):
    """A request body: unknown properties are errors, not silently dropped."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class StatusUpdateIn(WriteModel):
    as_of: date = Field(
        strict=True,
        description="The date the status describes (`YYYY-MM-DD`); at most one day ahead.",
    )
    as_of_label: ShortLabel | None = Field(
        default=None, description="The date as the source prints it; defaults to `asOf`."
    )
    text: NonBlank = Field(description="The status text; not empty.")
    progress: Progress | None = None
    progress_evidence: NonBlank | None = Field(
        default=None, description="The phrase of `text` that justifies `progress`."
    )
    source: NonBlank | None = Field(default=None, description="The document the status is from.")
    supersedes: int | None = Field(
        default=None,
        ge=1,
        strict=True,
        description="Id of an entry of the same goal that this one corrects; that entry must "
        "not be superseded already (correct the latest correction instead).",
    )

    @field_validator("as_of")
    @classmethod
    def _not_in_the_future(cls, value: date, info: ValidationInfo) -> date:
        latest = (info.context or {}).get("latest_as_of")
        if latest is not None and value > latest:
            raise ValueError(f"must not be later than {latest.isoformat()} (one day ahead)")
        return value


class MeasurementIn(WriteModel):
    value: float | None = Field(
        strict=True,
        allow_inf_nan=False,
        description="The number, or null when there is none (status notAvailable, pending, "
        "notReliable).",
    )
    value_text: NonBlank | None = Field(description="The figure as printed, e.g. `64 %`.")
    status: MeasurementStatus
    source: NonBlank | None = Field(
        default=None,
        description="The figure's source; also its address within the period (see `source` "
        "in the query). Omit for the metric's own source.",
    )
    footnote: NonBlank | None = None

    @model_validator(mode="after")
    def _value_matches_status(self) -> "MeasurementIn":
        has_number = self.status in ("final", "provisional")
        if has_number and self.value is None:
            raise ValueError(f"status {self.status} needs a number in value")
        if not has_number and self.value is not None:
            raise ValueError(f"status {self.status} means there is no number: value must be null")
        return self


class MeasurementDetailLinks(MeasurementLinks):
    self_: Link = Field(alias="self")
    revisions: Link


class MeasurementDetailOut(MeasurementOut):
    """One measurement with its version; the `ETag` header is the precondition for replacing."""

    version: int = Field(description="1 when first recorded; +1 on every replacement.")
    author: str | None = Field(description="Who wrote this version; null for the seed.")
    recorded_at: datetime | None = Field(description="When this version was stored (UTC).")
    links_: MeasurementDetailLinks = Field(alias="_links")


class MeasurementRevisionOut(ApiModel):
    version: int
    current: bool = Field(description="True for the version the measurement has now.")
    value: float | None
    value_text: str | None
    status: MeasurementStatus
    source: str | None = Field(description="The figure's source, else its metric's.")
    footnote: str | None
    author: str | None = Field(description="Who wrote this version; null for the seed.")
    recorded_at: datetime | None = Field(description="When this version was stored (UTC).")
    replaced_at: datetime | None = Field(description="When a newer version replaced it.")
    replaced_by: str | None = Field(description="Who replaced it.")

    @field_serializer("value")
    def _integral_values_as_integers(self, value: float | None) -> float | int | None:
        if value is not None and value.is_integer():
            return int(value)
        return value


class MeasurementRevisionCollection(ApiModel):
    """Every version of one measurement, oldest first; the last one is current."""

    items: list[MeasurementRevisionOut]
    links_: CollectionLinks = Field(alias="_links")


# --- search -------------------------------------------------------------------------------

SearchType = Literal["goal", "status", "indicator", "metric"]


class SearchResultLinks(ApiModel):
    self_: Link = Field(alias="self", description="The matching resource.")
    perspective: Link
    goal: Link | None = Field(
        default=None, exclude_if=_is_none, description="For a status: the goal it belongs to."
    )


class SearchResultOut(ApiModel):
    type: SearchType
    code: str = Field(description="Code of the goal, indicator or metric; for a status its id.")
    perspective_code: str
    score: float = Field(description="Relevance; higher is better. Results are ordered by it.")
    snippet: str = Field(description="The text around the hit, matches marked « and ».")
    links_: SearchResultLinks = Field(alias="_links")


class SearchResultCollection(ApiModel):
    items: list[SearchResultOut]
    links_: CollectionLinks = Field(alias="_links")


# --- bulk export --------------------------------------------------------------------------


class ExportLinks(ApiModel):
    self_: Link = Field(alias="self")
    catalog: Link


class ExportDocument(ApiModel):
    """The whole dataset; each list in the order of its collection."""

    generated_at: datetime = Field(
        description="When the data last changed (the newest write, else the report's date): "
        "derived from the data, so the same data always gives the same document."
    )
    data_version: int = Field(description="Increases with every committed change to the data.")
    perspectives: list[PerspectiveOut]
    goals: list[GoalOut]
    statuses: list[StatusUpdateOut] = Field(
        description="Every status history, goals in report order, each oldest first."
    )
    indicators: list[IndicatorOut]
    metrics: list[MetricOut]
    measurements: list[MeasurementOut]
    links_: ExportLinks = Field(alias="_links")
