"""Probes for orchestrators (`/healthz`, `/readyz`) and Prometheus metrics (`/metrics`). They
live outside /v1 and outside the OpenAPI document: they are about this process, not the data."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Engine

from app.core.errors import ProblemError
from app.core.observability import metrics_endpoint
from app.services.readiness import check_readiness

router = APIRouter(include_in_schema=False)


def get_engine_of_app(request: Request) -> Engine:
    return request.app.state.engine


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive and serving (no database involved: restarting us would not help)."""
    return {"status": "alive"}


@router.get("/readyz")
def readyz(
    request: Request, engine: Annotated[Engine, Depends(get_engine_of_app)]
) -> dict[str, str]:
    readiness = check_readiness(engine)
    if not readiness.ready:
        retry_after = request.app.state.settings.database_retry_after_seconds
        raise ProblemError(503, readiness.reason, headers={"Retry-After": str(retry_after)})
    return {"status": "ready", "migration": readiness.expected_revision}


router.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
