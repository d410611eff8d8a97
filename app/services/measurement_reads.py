"""One measurement as a resource: read it with its ETag, and every version it has had.

Addressing. A measurement is identified by metric, period and source: the report prints two
figures from two sources for one period (M12.1, 2021). A period is its type, first and last
year; its printed spelling (`2014-2018` or `2014–2018`) only shows it, and either finds it.
The `source` of an address is the figure's source as the API shows it (its own, else its
metric's). Without a source, a period with one figure means that figure; a period with several
figures is ambiguous (409, the problem names the sources) and needs `source`.

Versions. Replacing a measurement (app/services/measurement_writes.py) keeps the replaced
version as a MeasurementRevision and bumps `version`; the ETag changes with every version (and
with any other change to the row).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.core.errors import ProblemError
from app.core.periods import Period, parse_period
from app.models import Measurement, MeasurementRevision, Metric
from app.services.indicators import MeasurementView, effective_source, require_metric_record
from app.services.validation import bad_request


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


def measurement_detail(metric: Metric, measurement: Measurement) -> MeasurementDetail:
    return MeasurementDetail(
        view=MeasurementView(measurement=measurement, metric=metric),
        etag=measurement_etag(measurement),
        # Links always name the source, so they stay unambiguous when another figure for the
        # same period is added later.
        address_source=_effective_source(measurement, metric),
    )


def source_parameter_problems(source: str | None) -> list[dict[str, str]]:
    """What is wrong with the `source` of an address (an absent one names no source)."""
    if source is not None and not source.strip():
        return [{"name": "source", "reason": "must not be empty"}]
    return []


def get_measurement(
    session: Session, code: str, period: str, source: str | None
) -> MeasurementDetail:
    metric = require_metric_record(session, code)
    if problems := source_parameter_problems(source):
        raise bad_request(problems)
    parsed = parse_period(period)
    measurement = None if isinstance(parsed, str) else find_figure(session, metric, parsed, source)
    if measurement is None:
        detail = f"Metric {code} has no measurement for {period}"
        raise ProblemError(404, detail + (f" from source {source!r}." if source else "."))
    return measurement_detail(metric, measurement)


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
