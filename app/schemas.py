"""The API's JSON shapes. Python names are snake_case; the wire format is lowerCamelCase."""

import re
from datetime import date, datetime
from typing import Annotated, ClassVar, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from app.core.config import TextLimits
from app.core.partial_dates import DatePrecision, check_first_day

Progress = Literal["achieved", "inProgress", "delayed", "discontinued", "seeOther"]
MilestoneKind = Literal["decision", "briefing", "adoption", "effective", "planned", "other"]
MilestoneBody = Literal["council", "executive", "other"]
TargetSource = Literal["goal", "status"]
PeriodType = Literal["year", "schoolYear", "multiYear"]
MeasurementStatus = Literal["final", "provisional", "notAvailable", "pending", "notReliable"]
Polarity = Literal["higherIsBetter", "lowerIsBetter"]
Direction = Literal["up", "down", "flat"]
Assessment = Literal["better", "worse", "unchanged"]


def _is_none(value: object) -> bool:
    return value is None


ISO_DATE_PATTERN = r"^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"


def _iso_date_only(value: object) -> object:
    # Pydantic alone also reads Unix timestamps ("0") and datetimes ("2022-01-01T00:00").
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(ISO_DATE_PATTERN, value):
        raise ValueError("must be a date YYYY-MM-DD from 1900-01-01 to 2099-12-31")
    return value


# A date as input, in query and body alike: `YYYY-MM-DD`, 1900-01-01 at the earliest.
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date_only),
    WithJsonSchema({"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}),
]

Item = TypeVar("Item", bound=BaseModel)


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


class Collection(ApiModel, Generic[Item]):
    """One page of a collection; each collection names its own subclass (its schema's name)."""

    items: list[Item]
    links_: CollectionLinks = Field(alias="_links")


class InvalidParam(ApiModel):
    """One invalid parameter (query, path, header or body property) of a 400."""

    name: str = Field(description="The parameter, e.g. `pageSize` or `body.asOf`.")
    reason: str = Field(description="What is wrong with its value.")


class Problem(ApiModel):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    invalid_params: list[InvalidParam] | None = Field(
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


class PerspectiveCollection(Collection[PerspectiveOut]):
    pass


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


class StatusCollection(Collection[StatusUpdateOut]):
    pass


class GoalReference(ApiModel):
    code: str
    href: str


class GoalLinks(ApiModel):
    self_: Link = Field(alias="self")
    perspective: Link
    statuses: Link
    milestones: Link = Field(description="The goal's milestones, ordered by date.")


class GoalOut(ApiModel):
    code: str
    perspective_code: str
    text: str
    order: int = Field(description="Position of the goal in the report (1..120).")
    latest_status: StatusUpdateOut | None
    cross_references: list[GoalReference] = Field(description="Goals this goal's texts refer to.")
    links: list[Link] = Field(description="Hyperlinks printed with the goal.")
    targets: list["TargetOut"] | None = Field(
        default=None,
        exclude_if=_is_none,
        description="The goal's targets; present on a single goal (`GET /goals/{code}`).",
    )
    links_: GoalLinks = Field(alias="_links")


class GoalCollection(Collection[GoalOut]):
    pass


# --- indicators, metrics, measurements ----------------------------------------------------


class MeasurementLinks(ApiModel):
    metric: Link
    indicator: Link
    unit: Link = Field(description="The unit's vocabulary entry.")


UNIT_DESCRIPTION = "Code in the unit vocabulary (`GET /units`), e.g. `percent`, `tonnesCo2`."


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
    unit: str = Field(description=UNIT_DESCRIPTION)
    links_: MeasurementLinks = Field(alias="_links")

    @field_serializer("value")
    def _integral_values_as_integers(self, value: float | None) -> float | int | None:
        # Counts are stored as floats; 7976 reads better than 7976.0 in every client.
        if value is not None and value.is_integer():
            return int(value)
        return value


class MeasurementCollection(Collection[MeasurementOut]):
    pass


class MetricLinks(ApiModel):
    self_: Link = Field(alias="self")
    indicator: Link
    measurements: Link
    unit: Link = Field(description="The unit's vocabulary entry.")
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
    unit: str = Field(description=UNIT_DESCRIPTION)
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


class MetricCollection(Collection[MetricOut]):
    pass


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


class IndicatorCollection(Collection[IndicatorOut]):
    pass


# --- units, milestones, targets -------------------------------------------------------------


class UnitOut(ApiModel):
    code: str = Field(description="The code metrics, measurements and targets use.")
    label_nl: str = Field(description="Label in Dutch.")
    label_en: str = Field(description="Label in English.")
    ucum: str | None = Field(
        description="The Unified Code for Units of Measure (ucum.org), where one exists."
    )
    description: str
    links_: SelfLinks = Field(alias="_links")


class UnitCollection(Collection[UnitOut]):
    pass


PARTIAL_DATE_DESCRIPTION = (
    "ISO 8601 date; where the source prints only a month or a year (see the precision), the "
    'first day of that month or year: "maart 2022" is `2022-03-01`.'
)


class MilestoneLinks(ApiModel):
    goal: Link
    status: Link = Field(description="The status update whose text prints the milestone.")


class MilestoneOut(ApiModel):
    id: int
    goal_code: str
    status_id: int = Field(description="The status update the milestone comes from.")
    date: IsoDate = Field(description=PARTIAL_DATE_DESCRIPTION)
    date_precision: DatePrecision = Field(
        description='How exact `date` is: "eind 2022" is `2022-01-01` with precision `year`.'
    )
    kind: MilestoneKind = Field(
        description="Editorial reading: `decision`, `briefing` (RIB, stadsronde), `adoption`, "
        "`effective` (applies from that date), `planned`, `other`."
    )
    body: MilestoneBody | None = Field(
        description="Who takes the step as the quote says (for a briefing: who is informed); "
        "null when the quote does not say."
    )
    quote: str = Field(description="The status's own words that state it, date as printed.")
    links_: MilestoneLinks = Field(alias="_links")


class MilestoneCollection(Collection[MilestoneOut]):
    pass


class LatestMeasurement(ApiModel):
    """The metric's latest figure, shown beside a target."""

    period: str
    period_end: int = Field(description="Last year the period covers.")
    value: float
    value_text: str | None
    status: MeasurementStatus
    unit: str = Field(description=UNIT_DESCRIPTION)

    @field_serializer("value")
    def _integral_values_as_integers(self, value: float) -> float | int:
        return int(value) if value.is_integer() else value


class TargetLinks(ApiModel):
    goal: Link
    status: Link | None = Field(
        default=None, exclude_if=_is_none, description="For `source` status: the status."
    )
    unit: Link | None = Field(default=None, exclude_if=_is_none)
    metric: Link | None = Field(default=None, exclude_if=_is_none)


class TargetOut(ApiModel):
    id: int
    goal_code: str
    source: TargetSource = Field(description="Stated in the goal text or in a status text.")
    status_id: int | None = Field(description="For `source` status: the status update.")
    quote: str = Field(description="The text's own words that state the target.")
    value: float | None = Field(description="The level as a number; null for a bare deadline.")
    unit: str | None = Field(description=UNIT_DESCRIPTION)
    deadline: IsoDate | None = Field(description=PARTIAL_DATE_DESCRIPTION + " Null: none.")
    deadline_precision: DatePrecision | None
    metric_code: str | None = Field(
        description="The report's metric that measures the same thing, where one does."
    )
    note: str | None = Field(description="An `Editorial note:` on the reading, if any.")
    latest_measurement: LatestMeasurement | None = Field(
        description="With a metric: its latest measurement that has a number."
    )
    progress_to_target: float | None = Field(
        description="latestMeasurement.value / value, where both exist, share a unit and value "
        "is not 0; 1 means the level is reached. Not a judgement of direction: read the quote."
    )
    links_: TargetLinks = Field(alias="_links")

    @field_serializer("value")
    def _integral_values_as_integers(self, value: float | None) -> float | int | None:
        if value is not None and value.is_integer():
            return int(value)
        return value


class TargetCollection(Collection[TargetOut]):
    pass


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


class SummaryHistory(Collection[SummaryOut]):
    items: list[SummaryOut] = Field(description="One summary per status date, oldest first.")


# --- landing ------------------------------------------------------------------------------


class LandingLinks(ApiModel):
    self_: Link = Field(alias="self")
    perspectives: Link
    goals: Link
    indicators: Link
    metrics: Link
    measurements: Link
    units: Link
    milestones: Link
    targets: Link
    summary: Link
    openapi: Link
    docs: Link


class Landing(ApiModel):
    name: str
    version: str
    description: str
    links_: LandingLinks = Field(alias="_links")


# --- writes -------------------------------------------------------------------------------

# Ids are INTEGER columns (32 bits on PostgreSQL): a larger number names nothing, and must not
# reach the database driver, which would fail on it rather than find nothing.
MAX_ID = 2**31 - 1
# The key of the `TextLimits` in the validation context of a write's body.
TEXT_LIMITS = "text_limits"


def _text_check(kind: Literal["text", "short_text"]) -> AfterValidator:
    """No NUL (PostgreSQL cannot store it, and it is never part of a report's text) and at
    most the configured length; the limits come from the validation context, else defaults."""

    def check(value: str, info: ValidationInfo) -> str:
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        limit = getattr((info.context or {}).get(TEXT_LIMITS) or TextLimits(), kind)
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        return value

    return AfterValidator(check)


LONG_TEXT_NOTE = " At most `MAX_TEXT_LENGTH` characters (20,000 by default)."
SHORT_TEXT_NOTE = " At most `MAX_SHORT_TEXT_LENGTH` characters (1,000 by default)."
CheckedText = _text_check("text")
CheckedShortText = _text_check("short_text")
Text = Annotated[str, CheckedText]
ShortText = Annotated[str, CheckedShortText]
# `pattern`: the document says what stripping whitespace means, at least one other character.
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S")]
NonBlankText = Annotated[NonBlank, CheckedText]
NonBlankShortText = Annotated[NonBlank, CheckedShortText]
ShortLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S"),
    CheckedShortText,
]


class WriteModel(ApiModel):
    """A request body: unknown properties are errors, not silently dropped."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class MilestoneIn(WriteModel):
    """A dated step that the status text prints."""

    date: IsoDate = Field(description=PARTIAL_DATE_DESCRIPTION)
    date_precision: DatePrecision
    kind: MilestoneKind
    body: MilestoneBody | None = None
    quote: NonBlank = Field(
        description="The words of the status text that state it, date included; must occur "
        "verbatim in `text`."
    )

    @model_validator(mode="after")
    def _date_matches_precision(self) -> "MilestoneIn":
        check_first_day(self.date, self.date_precision)
        return self


class StatusUpdateIn(WriteModel):
    as_of: IsoDate = Field(
        description="The date the status describes (`YYYY-MM-DD`, from 1900-01-01); at most one "
        "day ahead.",
    )
    as_of_label: ShortLabel | None = Field(
        default=None, description="The date as the source prints it; defaults to `asOf`."
    )
    text: NonBlankText = Field(description="The status text; not empty." + LONG_TEXT_NOTE)
    progress: Progress | None = None
    progress_evidence: NonBlankText | None = Field(
        default=None,
        description="The phrase of `text` that justifies `progress`." + LONG_TEXT_NOTE,
    )
    source: NonBlankShortText | None = Field(
        default=None, description="The document the status is from." + SHORT_TEXT_NOTE
    )
    supersedes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        strict=True,
        description="Id of an entry of the same goal that this one corrects; that entry must "
        "not be superseded already (correct the latest correction instead).",
    )
    milestones: list[MilestoneIn] = Field(
        default_factory=list,
        max_length=100,
        description="Dated steps the text prints (see `GET /milestones`); each `quote` must "
        "occur verbatim in `text`.",
    )

    @model_validator(mode="after")
    def _milestones_quote_the_text(self) -> "StatusUpdateIn":
        for index, milestone in enumerate(self.milestones):
            if milestone.quote not in self.text:
                raise ValueError(f"milestones[{index}].quote does not occur verbatim in text")
        return self

    @field_validator("as_of")
    @classmethod
    def _not_in_the_future(cls, value: date, info: ValidationInfo) -> date:
        latest = (info.context or {}).get("latest_as_of")
        if latest is not None and value > latest:
            raise ValueError(f"must not be later than {latest.isoformat()} (one day ahead)")
        return value


class MeasurementIn(WriteModel):
    # The document states the rule of `_value_matches_status` too.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={
            "if": {
                "properties": {"status": {"enum": ["final", "provisional"]}},
                "required": ["status"],
            },
            "then": {"properties": {"value": {"type": "number"}}},
            "else": {"properties": {"value": {"type": "null"}}},
        },
    )

    value: float | None = Field(
        strict=True,
        allow_inf_nan=False,
        description="The number, or null when there is none (status notAvailable, pending, "
        "notReliable).",
    )
    value_text: NonBlankShortText | None = Field(
        description="The figure as printed, e.g. `64 %`." + SHORT_TEXT_NOTE
    )
    status: MeasurementStatus
    source: NonBlankShortText | None = Field(
        default=None,
        description="The figure's source; also its address within the period (see `source` "
        "in the query). Omit for the metric's own source." + SHORT_TEXT_NOTE,
    )
    footnote: NonBlankText | None = Field(default=None, description=LONG_TEXT_NOTE.strip())

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


class MeasurementRevisionCollection(Collection[MeasurementRevisionOut]):
    """Every version of one measurement, oldest first; the last one is current."""


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


class SearchResultCollection(Collection[SearchResultOut]):
    pass


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
    units: list[UnitOut]
    milestones: list[MilestoneOut] = Field(description="Every milestone, ordered by date.")
    targets: list[TargetOut] = Field(description="Every target, goals in report order.")
    links_: ExportLinks = Field(alias="_links")


# --- catalogue ----------------------------------------------------------------------------

# JSON-LD with DCAT-AP property names (`dct:title`), so a JSON Schema rather than a model.
CATALOG_SCHEMA = {
    "title": "Catalog",
    "description": "A DCAT-AP 3 catalogue (with the DCAT-AP-DONL fields) in JSON-LD: a `@graph` "
    "of typed nodes: the `dcat:Catalog`, this dataset with its distributions (each a complete "
    "download), this API as a `dcat:DataService`, the municipality as the spatial coverage and "
    "the vocabulary terms they use. Titles and descriptions in Dutch and English. The same "
    "graph is served as Turtle and RDF/XML.",
    "type": "object",
    "properties": {
        "@context": {"type": "object"},
        "@graph": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "@id": {"type": "string", "description": "The node's IRI."},
                    "@type": {
                        "description": "Its class (`dcat:Catalog`, `dcat:Dataset`, ...).",
                    },
                },
            },
        },
    },
    "required": ["@context", "@graph"],
}


GoalOut.model_rebuild()
