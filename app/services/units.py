"""The unit vocabulary."""

import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import NotFoundError
from app.models import Unit
from app.services.filters import is_plausible_code
from app.services.paging import Page, paginate

UNIT_ORDER = [Unit.position]


def list_units(session: Session, *, page_size: int, cursor: str | None) -> Page[Unit]:
    page = paginate(
        session,
        sa.select(Unit),
        sort_columns=UNIT_ORDER,
        sort_key=lambda row: [row.Unit.position],
        page_size=page_size,
        cursor=cursor,
    )
    return Page(items=[row.Unit for row in page.items], next_cursor=page.next_cursor)


def get_unit(session: Session, code: str) -> Unit:
    unit = session.get(Unit, code) if is_plausible_code(code) else None
    if unit is None:
        raise NotFoundError(f"No unit with code '{code}'")
    return unit
