"""The ASGI application: `create_app()` for tests and the CLI, `app` for any ASGI server."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline
from pydantic.alias_generators import to_camel

from app import __version__
from app.api.deps import reject_nul_characters, reject_unknown_query_parameters
from app.api.openapi import install_openapi
from app.api.routes import (
    catalog,
    charts,
    demo,
    downloads,
    export,
    goals,
    health,
    indicators,
    landing,
    measurements,
    metrics,
    milestones,
    perspectives,
    search,
    summary,
    targets,
    units,
)
from app.core.caching import HttpCachingMiddleware
from app.core.config import Settings, get_settings
from app.core.conformance import API_PREFIX, DocsSecurityMiddleware
from app.core.cors import ReadPreflightMiddleware
from app.core.database_errors import install_database_error_handlers
from app.core.errors import install_problem_handlers
from app.core.http import ResponseConventionsMiddleware
from app.core.limits import RequestBodyMiddleware, RequestLimitsMiddleware
from app.core.observability import MetricsMiddleware, RequestIdMiddleware, configure_json_logging
from app.core.proxies import TrustedProxyMiddleware
from app.core.rate_limit import WriteLimits
from app.core.response_cache import ResponseCacheMiddleware
from app.core.write_http import WriteConventionsMiddleware
from app.db import get_engine

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
        configure_json_logging(resolved.log_level)
        anyio.to_thread.current_default_thread_limiter().total_tokens = resolved.worker_threads
        # Everything built so far lives as long as the process: keep it out of the collector's
        # scans: a full collection under load then takes under 2 ms instead of ~50 ms.
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()

    # Swagger UI and ReDoc with their assets served from here: intranets block CDNs.
    app = FastAPIOffline(
        title="coalition-monitor",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
        # Paths have no trailing slash, and /v1/goals/ is a 404 rather than a redirect.
        redirect_slashes=False,
        # operationIds are the route functions' names in camelCase: listGoals, putMeasurement.
        generate_unique_id_function=lambda route: to_camel(route.name),
    )
    for module in (
        landing,
        perspectives,
        goals,
        indicators,
        metrics,
        measurements,
        units,
        milestones,
        targets,
        search,
        export,
        downloads,
        catalog,
        summary,
        charts,
    ):
        app.include_router(
            module.router,
            prefix=API_PREFIX,
            dependencies=[
                Depends(reject_unknown_query_parameters),
                Depends(reject_nul_characters),
            ],
        )
    app.include_router(health.router)
    app.state.write_limits = WriteLimits()
    app.include_router(demo.router)
    install_problem_handlers(app)
    install_database_error_handlers(app)
    install_openapi(app)
    # Middleware runs outermost-last-added. From the outside in: forwarded headers from trusted
    # proxies, request id (and the JSON request log), metrics, the response cache (hits skip
    # everything below), the response conventions (API-Version, CORS, HEAD, problem 500), write
    # conventions, request limits and
    # the write's body, received in full before anything below runs (no database work while a
    # client is still sending); inside, so their problems get the conventions' headers too.
    # Write rate limits apply during authentication (app/api/security.py).
    app.add_middleware(RequestBodyMiddleware)
    app.add_middleware(RequestLimitsMiddleware)
    # ETag, If-None-Match and Cache-Control for reads (inside the response cache, which keeps
    # the ETag it computes).
    app.add_middleware(HttpCachingMiddleware)
    # Preflights for reads (write preflights are WriteConventionsMiddleware's), docs CSP.
    app.add_middleware(ReadPreflightMiddleware)
    app.add_middleware(DocsSecurityMiddleware)
    # Inside ResponseConventionsMiddleware, so write answers (preflights too) get API-Version.
    app.add_middleware(WriteConventionsMiddleware)
    app.add_middleware(ResponseConventionsMiddleware, api_version=__version__)
    app.add_middleware(ResponseCacheMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    # Outermost, so the request log and the limit per client address see the real client.
    app.add_middleware(TrustedProxyMiddleware)
    return app


app = create_app()
