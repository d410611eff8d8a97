"""Keyset paging with opaque cursors.

A cursor holds the sort key of the last row of a page, so the next page starts right after
it even when rows are added meanwhile (unlike an offset). It is base64url-encoded JSON tagged
with the collection it belongs to; clients must treat it as opaque.
"""

import base64
import binascii
import json
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

_INT32_RANGE = (-(2**31), 2**31 - 1)
_INT64_RANGE = (-(2**63), 2**63 - 1)
# Sort keys that are strings are codes; nothing else (e.g. a NUL byte) may reach the database.
_PLAIN_STRING = re.compile(r"[\w.\-]{1,100}")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def encode_cursor(collection: str, key: Sequence[Any]) -> str:
    payload = json.dumps({"c": collection, "k": [_encode_value(v) for v in key]})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _invalid_cursor() -> InvalidParameterError:
    return InvalidParameterError("cursor", "not a cursor issued for this collection")


def _decode_value(column: ColumnElement, value: Any) -> Any:
    # sqlmodel's AutoString wraps String and reports `object` as its Python type.
    column_type = getattr(column.type, "impl_instance", column.type)
    is_string_column = isinstance(column_type, sa.String)
    python_type = str if is_string_column else column.type.python_type
    if python_type is date:
        if not isinstance(value, str):
            raise ValueError("date expected")
        return date.fromisoformat(value)
    if python_type is int:
        # Out-of-range integers would make the database fail rather than find nothing: INTEGER
        # columns are 32 bits on PostgreSQL (and the bound parameter is cast to the column's type).
        low, high = _INT64_RANGE if isinstance(column_type, sa.BigInteger) else _INT32_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError("an integer in the column's range expected")
    if python_type is str and not (isinstance(value, str) and _PLAIN_STRING.fullmatch(value)):
        raise ValueError("plain string expected")
    return value


def decode_cursor(collection: str, cursor: str, columns: Sequence[ColumnElement]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(payload, dict) or payload.get("c") != collection:
            raise _invalid_cursor()
        values = payload.get("k")
        if not isinstance(values, list) or len(values) != len(columns):
            raise _invalid_cursor()
        return [_decode_value(column, value) for column, value in zip(columns, values, strict=True)]
    except InvalidParameterError:
        raise
    except (ValueError, TypeError, UnicodeError, binascii.Error) as error:
        raise _invalid_cursor() from error


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
    collection: str,
    sort_columns: Sequence[ColumnElement],
    sort_key: Callable[[Any], Sequence[Any]],
    page_size: int,
    cursor: str | None,
) -> Page[Any]:
    """Run `statement` for one page ordered by `sort_columns`; `sort_key(row)` reads them back."""
    if cursor is not None:
        statement = statement.where(
            _after(sort_columns, decode_cursor(collection, cursor, sort_columns))
        )
    rows = list(session.exec(statement.order_by(*sort_columns).limit(page_size + 1)).all())
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = encode_cursor(collection, sort_key(rows[-1])) if has_more else None
    return Page(items=rows, next_cursor=next_cursor)
