"""Dates known to a day, a month or a year: an ISO date with a precision.

"maart 2022" is `2022-03-01` with precision `month`, "najaar 2022" is `2022-01-01` with
precision `year`: the date is the first day of the printed period and the precision says how
much the source says, so nothing is made more exact than it is printed.
"""

from datetime import date
from typing import Literal

DatePrecision = Literal["day", "month", "year"]


def check_first_day(value: date, precision: str) -> date:
    """`value` itself, when it is the first day of its month (precision `month`) or year
    (precision `year`); raises ValueError otherwise."""
    if precision == "month" and value.day != 1:
        raise ValueError(f"a date of precision month is the first of the month, not {value}")
    if precision == "year" and (value.month, value.day) != (1, 1):
        raise ValueError(f"a date of precision year is 1 January, not {value}")
    return value


def at_precision(value: date, precision: str) -> str:
    """The date written as far as it is known: `2019-05-14`, `2019-05` or `2019`."""
    return value.isoformat()[: {"day": 10, "month": 7, "year": 4}[precision]]
