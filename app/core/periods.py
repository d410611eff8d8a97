"""A period as the report prints it: a year (`2021`), or first and last year joined by a hyphen
or an en dash (`2018-2019`, `2014–2018`). Its identity is its type, first and last year; the
spelling only shows it. Every year the service accepts lies within MIN_YEAR..MAX_YEAR."""

import re
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 1900, 2100
# A year within the bounds, as a regular expression (for documented path patterns).
YEAR_PATTERN = r"19[0-9]{2}|20[0-9]{2}|2100"
PERIOD_PATTERN = f"(?:{YEAR_PATTERN})(?:[-–](?:{YEAR_PATTERN}))?"

_PERIOD = re.compile(r"([0-9]{4})(?:([-–])([0-9]{4}))?")


@dataclass(frozen=True)
class Period:
    text: str
    period_type: str
    start: int
    end: int


def parse_period(text: str) -> Period | str:
    """A period as the report prints it, or the reason it is not one."""
    match = _PERIOD.fullmatch(text)
    if match is None:
        return "not a period like 2021, 2018-2019 (school year) or 2014–2018"
    start = int(match.group(1))
    end = int(match.group(3) or start)
    if not (MIN_YEAR <= start <= MAX_YEAR and MIN_YEAR <= end <= MAX_YEAR):
        return f"years must be between {MIN_YEAR} and {MAX_YEAR}"
    if end <= start and match.group(3):
        return "a period must end after it starts"
    if start == end:
        period_type = "year"
    elif end == start + 1:
        period_type = "schoolYear"  # as the seed reads 2018-2019
    else:
        period_type = "multiYear"
    return Period(text=text, period_type=period_type, start=start, end=end)
