"""Dates known to a day, a month or a year, written as ISO 8601 at that precision.

"maart 2022" is `2022-03` (precision `month`), "najaar 2022" is `2022` (precision `year`): the
precision says how much the source says, and nothing is made more exact than it is printed.
"""

import re
from datetime import date
from typing import Literal

DatePrecision = Literal["day", "month", "year"]

PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_PRECISION_BY_LENGTH: dict[int, DatePrecision] = {4: "year", 7: "month", 10: "day"}


def partial_date_start(text: str, precision: str) -> date:
    """The first day of `text` (`2019`, `2019-05`, `2019-05-14`), which must be written at
    `precision`; raises ValueError otherwise."""
    if re.fullmatch(PARTIAL_DATE_PATTERN, text) is None:
        raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    written = _PRECISION_BY_LENGTH[len(text)]
    if written != precision:
        raise ValueError(f"{text!r} is written at {written} precision, not {precision}")
    year, month, day = [*text.split("-"), "01", "01"][:3]
    return date(int(year), int(month), int(day))
