"""One measurement as a resource: create or replace it under preconditions (`If-Match`,
`If-None-Match`), from the API or from an imported report. Creating without a source records a
figure from the metric's own source; how a measurement is addressed and read is in
app/services/measurement_reads.py.

Versions. Replacing a measurement keeps the replaced version as a MeasurementRevision and bumps
`version`; the ETag changes with every version (and with any other change to the row).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.config import TextLimits
from app.core.errors import ProblemError
from app.core.etags import if_match_matches, if_none_match_matches
from app.core.periods import Period, parse_period
from app.models import Measurement, MeasurementRevision, Metric
from app.schemas import TEXT_LIMITS, MeasurementIn
from app.services.indicators import require_metric_record, stored_source
from app.services.measurement_reads import (
    MeasurementDetail,
    find_figure,
    measurement_detail,
    measurement_etag,
    source_parameter_problems,
)
from app.services.validation import bad_request, parse_body
from app.services.write_support import lock_metric, utc_now

CHANGED_MEANWHILE = "The measurement changed meanwhile; GET it again and retry."


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
    problems.extend(source_parameter_problems(source_parameter))
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
    return PutResult(
        detail=measurement_detail(metric, result.detail.view.measurement), created=result.created
    )


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
        return PutResult(measurement_detail(metric, measurement), created=True)
    wanted = {
        "value": fields.value,
        "value_text": fields.value_text,
        "status": fields.status,
        "footnote": fields.footnote,
    }
    if all(getattr(measurement, name) == value for name, value in wanted.items()):
        return PutResult(measurement_detail(metric, measurement), created=False, changed=False)
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
    return PutResult(measurement_detail(metric, measurement), created=False)
