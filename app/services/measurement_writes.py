"""One measurement as a resource: read it with its ETag, create or replace it under
preconditions, and read every version it has had.

Addressing. A measurement is identified by metric, period and source: the report prints two
figures from two sources for one period (M12.1, 2021). A period is its type, first and last
year; its printed spelling (`2014-2018` or `2014–2018`) only shows it, and either finds it.
The `source` of an address is the figure's source as the API shows it (its own, else its
metric's). Without a source, a period with one figure means that figure; a period with several
figures is ambiguous (409, the problem names the sources) and needs `source`. Creating without
a source records a figure from the metric's own source.

Versions. Replacing a measurement keeps the replaced version as a MeasurementRevision and bumps
`version`; the ETag changes with every version (and with any other change to the row).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.config import TextLimits
from app.core.errors import ProblemError
from app.core.etags import if_match_matches, if_none_match_matches
from app.core.periods import Period, parse_period
from app.models import Measurement, MeasurementRevision, Metric
from app.schemas import TEXT_LIMITS, MeasurementIn
from app.services.indicators import (
    MeasurementView,
    effective_source,
    require_metric_record,
    stored_source,
)
from app.services.validation import bad_request, parse_body
from app.services.write_support import lock_metric, utc_now

CHANGED_MEANWHILE = "The measurement changed meanwhile; GET it again and retry."


@dataclass
class MeasurementDetail:
    view: MeasurementView
    etag: str
    # The source in this measurement's URL (None only when neither it nor its metric has one).
    address_source: str | None


@dataclass
class RevisionView:
    version: int
    current: bool
    record: Measurement | MeasurementRevision
    source: str | None
    replaced_at: datetime | None
    replaced_by: str | None


def measurement_etag(measurement: Measurement) -> str:
    state = [
        measurement.id,
        measurement.version,
        measurement.period_type,
        measurement.value,
        measurement.value_text,
        measurement.status,
        measurement.source,
        measurement.footnote,
    ]
    digest = hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()
    return f'"{digest[:32]}"'


def _effective_source(measurement: Measurement, metric: Metric) -> str | None:
    return effective_source(measurement.source, metric.source)


def _figures(session: Session, metric: Metric, period: Period) -> list[Measurement]:
    # A period is its type, start and end; how it is printed (2014-2018 or 2014–2018) is only
    # how it is shown, so either spelling finds the same figure.
    return list(
        session.exec(
            select(Measurement)
            .where(
                Measurement.metric_code == metric.code,
                Measurement.period_start == period.start,
                Measurement.period_end == period.end,
                Measurement.period_type == period.period_type,
            )
            .order_by(Measurement.id)
        )
    )


def _ambiguous(metric: Metric, period: Period, figures: list[Measurement]) -> ProblemError:
    sources = "; ".join(repr(_effective_source(f, metric)) for f in figures)
    return ProblemError(
        409,
        f"Metric {metric.code} has {len(figures)} figures for {period.text} (sources {sources}); "
        "name one with the `source` query parameter.",
    )


def find_figure(
    session: Session, metric: Metric, period: Period, source: str | None
) -> Measurement | None:
    """The figure at this address, or None; 409 when the address names several."""
    figures = _figures(session, metric, period)
    if source is not None:
        figures = [f for f in figures if _effective_source(f, metric) == source]
    if len(figures) > 1:
        raise _ambiguous(metric, period, figures)
    return figures[0] if figures else None


def _detail(metric: Metric, measurement: Measurement) -> MeasurementDetail:
    return MeasurementDetail(
        view=MeasurementView(measurement=measurement, metric=metric),
        etag=measurement_etag(measurement),
        # Links always name the source, so they stay unambiguous when another figure for the
        # same period is added later.
        address_source=_effective_source(measurement, metric),
    )


def _check_source_parameter(source: str | None) -> None:
    if source is not None and not source.strip():
        raise bad_request([{"name": "source", "reason": "must not be empty"}])


def get_measurement(
    session: Session, code: str, period: str, source: str | None
) -> MeasurementDetail:
    metric = require_metric_record(session, code)
    _check_source_parameter(source)
    parsed = parse_period(period)
    measurement = None if isinstance(parsed, str) else find_figure(session, metric, parsed, source)
    if measurement is None:
        detail = f"Metric {code} has no measurement for {period}"
        raise ProblemError(404, detail + (f" from source {source!r}." if source else "."))
    return _detail(metric, measurement)


def list_revisions(
    session: Session, code: str, period: str, source: str | None
) -> list[RevisionView]:
    """Every version of the measurement, oldest first; the last one is the current."""
    detail = get_measurement(session, code, period, source)
    current = detail.view.measurement
    metric = detail.view.metric
    revisions = session.exec(
        select(MeasurementRevision)
        .where(MeasurementRevision.measurement_id == current.id)
        .order_by(MeasurementRevision.version)
    )
    views = [
        RevisionView(
            version=revision.version,
            current=False,
            record=revision,
            source=effective_source(revision.source, metric.source),
            replaced_at=revision.replaced_at,
            replaced_by=revision.replaced_by,
        )
        for revision in revisions
    ]
    views.append(
        RevisionView(
            version=current.version,
            current=True,
            record=current,
            source=detail.view.source,
            replaced_at=None,
            replaced_by=None,
        )
    )
    return views


@dataclass
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None


@dataclass
class MeasurementFields:
    """A validated measurement to record, from the API or from an imported report."""

    period: Period
    value: float | None
    value_text: str | None
    status: str
    source: str | None
    footnote: str | None
    line: int | None = None


@dataclass
class PutResult:
    detail: MeasurementDetail
    created: bool
    # False when the figure already had exactly these values (nothing was written).
    changed: bool = True


def put_measurement_from_request(
    session: Session,
    code: str,
    period_text: str,
    source_parameter: str | None,
    raw_body: bytes,
    preconditions: Preconditions,
    *,
    author: str,
    text_limits: TextLimits,
) -> PutResult:
    """PUT /metrics/{code}/measurements/{period}: validate everything, then create or replace
    in one transaction under the metric's lock."""
    metric = require_metric_record(session, code)
    body, problems = parse_body(MeasurementIn, raw_body, context={TEXT_LIMITS: text_limits})
    period = parse_period(period_text)
    if isinstance(period, str):
        problems.insert(0, {"name": "period", "reason": period})
    if source_parameter is not None and not source_parameter.strip():
        problems.append({"name": "source", "reason": "must not be empty"})
    if body is not None and source_parameter and body.source and body.source != source_parameter:
        problems.append(
            {"name": "source", "reason": "the body's source differs from the `source` parameter"}
        )
    if problems or body is None or isinstance(period, str):
        raise bad_request(problems)
    fields = MeasurementFields(
        period=period,
        value=body.value,
        value_text=body.value_text,
        status=body.status,
        source=source_parameter or body.source,
        footnote=body.footnote,
    )
    try:
        result = record_measurement(
            session, metric, fields, author=author, now=utc_now(), preconditions=preconditions
        )
        session.commit()
    except IntegrityError as error:
        # Not reachable while the metric lock holds; kept so a race can never become a 500.
        session.rollback()
        raise ProblemError(412, CHANGED_MEANWHILE) from error
    except Exception:
        session.rollback()
        raise
    session.refresh(result.detail.view.measurement)
    return PutResult(detail=_detail(metric, result.detail.view.measurement), created=result.created)


def record_measurement(
    session: Session,
    metric: Metric,
    fields: MeasurementFields,
    *,
    author: str,
    now: datetime,
    preconditions: Preconditions | None = None,
) -> PutResult:
    """Create or replace one figure inside the caller's transaction (the caller commits).
    With `preconditions` (the API), replacing needs a matching If-Match; without (an import),
    the file is the authority. An unchanged figure is left alone: no new version."""
    lock_metric(session, metric.code)
    # Only now, holding the lock, is what we read the state that our write will replace.
    session.expire_all()
    measurement = find_figure(session, metric, fields.period, fields.source)
    etag = measurement_etag(measurement) if measurement is not None else None
    if preconditions is not None:
        if (
            preconditions.if_none_match is not None
            and etag is not None
            # Weak comparison, as RFC 9110 prescribes for If-None-Match: W/"x" names "x" too.
            and if_none_match_matches(preconditions.if_none_match, etag)
        ):
            raise ProblemError(412, "The measurement exists (If-None-Match).")
        if preconditions.if_match is not None and not if_match_matches(
            preconditions.if_match, etag
        ):
            raise ProblemError(
                412,
                "If-Match does not name the current ETag of this measurement; "
                "GET it again and retry.",
            )
        if measurement is not None and preconditions.if_match is None:
            raise ProblemError(428, "Replacing a measurement needs If-Match with its current ETag.")
    source_to_store = stored_source(fields.source, metric.source)
    if measurement is None:
        measurement = Measurement(
            metric_code=metric.code,
            period=fields.period.text,
            period_type=fields.period.period_type,
            period_start=fields.period.start,
            period_end=fields.period.end,
            value=fields.value,
            value_text=fields.value_text,
            status=fields.status,
            source=source_to_store,
            footnote=fields.footnote,
            line=fields.line,
            version=1,
            author=author,
            recorded_at=now,
        )
        session.add(measurement)
        session.flush()
        return PutResult(_detail(metric, measurement), created=True)
    wanted = {
        "value": fields.value,
        "value_text": fields.value_text,
        "status": fields.status,
        "footnote": fields.footnote,
    }
    if all(getattr(measurement, name) == value for name, value in wanted.items()):
        return PutResult(_detail(metric, measurement), created=False, changed=False)
    session.add(
        MeasurementRevision(
            measurement_id=measurement.id,
            version=measurement.version,
            period_type=measurement.period_type,
            period_start=measurement.period_start,
            period_end=measurement.period_end,
            value=measurement.value,
            value_text=measurement.value_text,
            status=measurement.status,
            source=measurement.source,
            footnote=measurement.footnote,
            line=measurement.line,
            author=measurement.author,
            recorded_at=measurement.recorded_at,
            replaced_at=now,
            replaced_by=author,
        )
    )
    # The version check in the WHERE clause makes a lost update impossible even if the lock
    # were ever bypassed: a stale writer updates no row.
    updated = session.execute(
        sa.update(Measurement)
        .where(Measurement.id == measurement.id, Measurement.version == measurement.version)
        .values(
            **wanted,
            line=fields.line,
            version=measurement.version + 1,
            author=author,
            recorded_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise ProblemError(412, CHANGED_MEANWHILE)
    session.flush()
    session.expire(measurement)
    return PutResult(_detail(metric, measurement), created=False)
