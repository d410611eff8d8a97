"""What every write shares: the server clock, and the row locks that serialise writers.

Writers of one goal's statuses or one metric's measurements take a lock on that goal or metric
row before they read what they are about to change, so a check ("is this ETag current?", "is
this entry already superseded?") and the write that depends on it happen atomically:
- PostgreSQL: `SELECT ... FOR UPDATE` on the parent row; other writers of the same parent wait
  until this transaction ends, writers of other parents proceed.
- SQLite: a database has one writer at a time. `BEGIN IMMEDIATE` makes this transaction the
  writer before it reads (pysqlite only opens a transaction at the first write, so a
  read-then-write would otherwise check a state that another writer may have changed); a
  transaction that has already written is the writer. Nothing is written to take the lock, so
  no trigger fires and an unchanged write changes nothing. Concurrent writers wait for the busy
  timeout (WAL keeps readers going meanwhile).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from app.models import Goal, Metric


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timezone-aware columns back without a zone; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _lock_row(session: Session, table: type[Goal] | type[Metric], code: str) -> None:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(sa.select(table.code).where(table.code == code).with_for_update())
    elif not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_goal(session: Session, code: str) -> None:
    _lock_row(session, Goal, code)


def lock_metric(session: Session, code: str) -> None:
    _lock_row(session, Metric, code)


def lock_all_goals_and_metrics(session: Session) -> None:
    """For a bulk write (an import): every goal and metric row, in code order, so it cannot
    deadlock with another import or with an API writer (who locks one row). SQLite has a single
    writer, so making this transaction the writer once is enough."""
    if session.get_bind().dialect.name == "sqlite":
        first_goal = session.scalar(sa.select(Goal.code).order_by(Goal.code).limit(1))
        if first_goal is not None:
            lock_goal(session, first_goal)
        return
    for table in (Goal, Metric):
        session.execute(sa.select(table.code).order_by(table.code).with_for_update())
