"""Turning query-parameter values into database conditions."""

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.models import Measurement, Perspective

_PLAUSIBLE_CODE = re.compile(r"[\w.\-]{1,100}")


def is_plausible_code(value: str) -> bool:
    """Codes and slugs are short runs of letters, digits, dots and hyphens. Anything else
    cannot name a row, and must not reach the database: PostgreSQL rejects a NUL byte in a
    string parameter with an error rather than finding nothing."""
    return _PLAUSIBLE_CODE.fullmatch(value) is not None


def names_perspective(codes_or_slugs: list[str]) -> ColumnElement[bool]:
    """A perspective named by its code (`A`) or its slug (`open-stad`)."""
    return sa.or_(Perspective.code.in_(codes_or_slugs), Perspective.slug.in_(codes_or_slugs))


def perspective_codes(session: Session, codes_or_slugs: list[str]) -> list[str]:
    """The perspectives a filter names; a value of the documented form that names no
    perspective matches nothing."""
    return list(
        session.exec(select(Perspective.code).where(names_perspective(codes_or_slugs))).all()
    )


def year_bounds(
    year: int | None, year_from: int | None, year_to: int | None
) -> tuple[int | None, int | None]:
    """Combine `year`, `yearFrom` and `yearTo` into one inclusive range of years."""
    # yearFrom after yearTo is a valid question whose answer is empty (see below).
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
