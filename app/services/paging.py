"""Keyset paging with opaque cursors.

A cursor holds the sort key of the last row of a page, so the next page starts right after
it even when rows are added meanwhile (unlike an offset). It is the key's values joined by
dots (integers, dates as day numbers, codes): each collection documents its cursor's pattern,
and every cursor that matches the pattern is a valid position (starting after it), so the
schema and the server agree. Clients must still treat it as opaque.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.core.errors import InvalidParameterError

T = TypeVar("T")

# Nine digits stay within a 32-bit column; day numbers 1..999999 are all valid dates.
_PART_PATTERNS = {int: r"[0-9]{1,9}", date: r"[1-9][0-9]{0,5}", str: r"[A-Za-z0-9-]{1,40}"}

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _key_type(column: ColumnElement) -> type:
    # sqlmodel's AutoString wraps String and reports `object` as its Python type.
    column_type = getattr(column.type, "impl_instance", column.type)
    if isinstance(column_type, sa.String):
        return str
    python_type = column.type.python_type
    return date if python_type is date else int


def cursor_pattern(columns: Sequence[ColumnElement]) -> str:
    """The regular expression every cursor of a collection sorted by `columns` matches."""
    return "^" + r"\.".join(_PART_PATTERNS[_key_type(column)] for column in columns) + "$"


def _encode_value(value: Any) -> str:
    return str(value.toordinal()) if isinstance(value, date) else str(value)


def encode_cursor(key: Sequence[Any]) -> str:
    return ".".join(_encode_value(value) for value in key)


def decode_cursor(cursor: str, columns: Sequence[ColumnElement]) -> list[Any]:
    if not re.fullmatch(cursor_pattern(columns), cursor):
        raise InvalidParameterError("cursor", "not a cursor of this collection")
    decoded: list[Any] = []
    for column, part in zip(columns, cursor.split("."), strict=True):
        key_type = _key_type(column)
        decoded.append(date.fromordinal(int(part)) if key_type is date else key_type(part))
    return decoded


def _after(columns: Sequence[ColumnElement], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the ascending order of `columns`.

    Spelled out as (a > x) OR (a = x AND b > y) ... rather than a row-value comparison, which
    behaves the same on SQLite and PostgreSQL and keeps the indexes usable.
    """
    clauses = []
    for index, column in enumerate(columns):
        equal_prefix = [columns[i] == values[i] for i in range(index)]
        clauses.append(sa.and_(*equal_prefix, column > values[index]))
    return sa.or_(*clauses)


def paginate(
    session: Session,
    statement: sa.Select,
    *,
    sort_columns: Sequence[ColumnElement],
    sort_key: Callable[[Any], Sequence[Any]],
    page_size: int,
    cursor: str | None,
    constant_leading: int = 0,
) -> Page[Any]:
    """Run `statement` for one page ordered by `sort_columns`; `sort_key(row)` reads them back.

    `constant_leading`: how many leading sort columns the statement's filters hold constant.
    They stay in the cursor (its format is the collection's) but not in the SQL, where a
    planner cannot see that they are constant and would sort what an index already orders."""
    ordered = sort_columns[constant_leading:]
    if cursor is not None:
        values = decode_cursor(cursor, sort_columns)[constant_leading:]
        statement = statement.where(_after(ordered, values))
    rows = list(session.exec(statement.order_by(*ordered).limit(page_size + 1)).all())
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = encode_cursor(sort_key(rows[-1])) if has_more else None
    return Page(items=rows, next_cursor=next_cursor)
