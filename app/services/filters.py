"""Turning query-parameter values into database conditions, rejecting values that name nothing."""

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.core.errors import InvalidParameterError
from app.models import Indicator, Measurement, Metric, Perspective

_PLAUSIBLE_CODE = re.compile(r"[\w.\-]{1,100}")


def is_plausible_code(value: str) -> bool:
    """Codes and slugs are short runs of letters, digits, dots and hyphens. Anything else
    cannot name a row, and must not reach the database: PostgreSQL rejects a NUL byte in a
    string parameter with an error rather than finding nothing."""
    return _PLAUSIBLE_CODE.fullmatch(value) is not None


def perspective_named(code_or_slug: str, parameter: str) -> ColumnElement[bool]:
    """A perspective filter accepts the code (`A`) or the slug (`open-stad`)."""
    if not is_plausible_code(code_or_slug):
        raise InvalidParameterError(parameter, "not a perspective code or slug")
    return sa.or_(Perspective.code == code_or_slug, Perspective.slug == code_or_slug)


def no_such_perspective(code_or_slug: str, parameter: str) -> InvalidParameterError:
    return InvalidParameterError(parameter, f"no perspective with code or slug '{code_or_slug}'")


def resolve_perspective_code(session: Session, code_or_slug: str, parameter: str) -> str:
    condition = perspective_named(code_or_slug, parameter)
    perspective = session.exec(select(Perspective).where(condition)).first()
    if perspective is None:
        raise no_such_perspective(code_or_slug, parameter)
    return perspective.code


def require_indicator(session: Session, code: str, parameter: str) -> str:
    if not is_plausible_code(code) or session.get(Indicator, code) is None:
        raise InvalidParameterError(parameter, f"no indicator with code '{code}'")
    return code


def require_metric(session: Session, code: str, parameter: str) -> str:
    if not is_plausible_code(code) or session.get(Metric, code) is None:
        raise InvalidParameterError(parameter, f"no metric with code '{code}'")
    return code


def year_bounds(
    year: int | None, year_from: int | None, year_to: int | None
) -> tuple[int | None, int | None]:
    """Combine `year`, `yearFrom` and `yearTo` into one inclusive range of years."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidParameterError("yearFrom", f"yearFrom {year_from} is after yearTo {year_to}")
    low, high = year_from, year_to
    if year is not None:
        low = year if low is None else max(low, year)
        high = year if high is None else min(high, year)
    return low, high


def measurement_covers_years(low: int | None, high: int | None) -> list[ColumnElement[bool]]:
    """A measurement matches year Y when its period covers Y (periodStart <= Y <= periodEnd);
    for a range it matches when its period overlaps the range."""
    conditions: list[ColumnElement[bool]] = []
    if high is not None:
        conditions.append(Measurement.period_start <= high)
    if low is not None:
        conditions.append(Measurement.period_end >= low)
    if low is not None and high is not None and low > high:
        # year outside [yearFrom, yearTo]: a valid question whose answer is empty.
        conditions.append(sa.false())
    return conditions


def calendar_year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
