"""A database that is unreachable (stopped, restarting, network gone) or too busy to answer
becomes a 503 problem with `Retry-After`, never a 500. Recovery needs no restart: PostgreSQL
connections are checked before use (`pool_pre_ping`, app/db.py), so the first request after the
database is back gets a fresh connection."""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.core.errors import problem_response
from app.core.observability import DATABASE_ERRORS

logger = logging.getLogger("app.database")

UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,  # cannot connect, connection lost, SQLite "database is locked"
    InterfaceError,  # the driver's connection is closed
    PoolTimeoutError,  # every pooled connection is busy for too long
)


def database_unavailable_response(request: Request, error: Exception) -> JSONResponse:
    DATABASE_ERRORS.labels(type(error).__name__).inc()
    # The driver's message may name hosts and users: log it, never send it.
    logger.warning("Database unavailable for %s %s: %s", request.method, request.url.path, error)
    retry_after = request.app.state.settings.database_retry_after_seconds
    return problem_response(
        request,
        503,
        "The database is unavailable at the moment; retry later.",
        headers={"Retry-After": str(retry_after)},
    )


async def _handle_unavailable(request: Request, error: Exception) -> JSONResponse:
    return database_unavailable_response(request, error)


def install_database_error_handlers(app: FastAPI) -> None:
    for error_type in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, _handle_unavailable)
