"""The ASGI application: `create_app()` for tests and the CLI, `app` for any ASGI server."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from app import __version__
from app.api.deps import reject_unknown_query_parameters
from app.api.routes import goals, indicators, landing, measurements, metrics, perspectives
from app.core.config import Settings, get_settings
from app.core.errors import install_problem_handlers
from app.core.http import ResponseConventionsMiddleware
from app.core.openapi import install_openapi
from app.core.write_http import WriteConventionsMiddleware
from app.db import get_engine

API_PREFIX = "/v1"

DESCRIPTION = (
    "Read API for the Maastricht coalition agreement 2018-2022 progress report "
    '"Hoofdlijnenakkoord coalitie 2018 - 2022, stand van zaken februari 2022": perspectives, '
    "goals with their status updates, indicators, metrics and measurements.\n\n"
    "Every error is `application/problem+json`. Collections page with `pageSize` and the "
    "opaque `cursor` of their `next` link."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; settings are read from the environment at startup unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or get_settings()
        app.state.settings = resolved
        app.state.engine = get_engine(resolved)
        yield

    app = FastAPI(
        title="coalition-monitor",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
        # Paths have no trailing slash, and /v1/goals/ is a 404 rather than a redirect.
        redirect_slashes=False,
    )
    for module in (landing, perspectives, goals, indicators, metrics, measurements):
        app.include_router(
            module.router,
            prefix=API_PREFIX,
            dependencies=[Depends(reject_unknown_query_parameters)],
        )
    install_problem_handlers(app)
    install_openapi(app)
    # Inside ResponseConventionsMiddleware, so write answers (preflights too) get API-Version.
    app.add_middleware(WriteConventionsMiddleware)
    app.add_middleware(ResponseConventionsMiddleware, api_version=__version__)
    return app


app = create_app()
