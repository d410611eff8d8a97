"""Request ids, one structured JSON log line per request, and Prometheus metrics.

- `RequestIdMiddleware` (outermost): takes `X-Request-ID` from the request when it is a sane
  token, otherwise generates one, returns it on the response, and logs one JSON line per
  request (`REQUEST_LOG=false` turns the line off, e.g. for benchmarks).
- `MetricsMiddleware`: request count and latency histogram per route template, method and
  status. The response cache and the database error handlers count their own events here too.
- Secrets stay out of every log: no header is logged (so never `Authorization`), and query
  values that carry keys (`?access_token=`, anything shaped like one of our keys) are redacted,
  in the request line and in uvicorn's access line alike (`redact_target`).
- `metrics_endpoint`: `/metrics` in the Prometheus text format. With several worker processes
  set `PROMETHEUS_MULTIPROC_DIR` to an empty directory shared by the workers (prometheus-client's
  multiprocess mode) so that every scrape sums all workers.
"""

import logging
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote_plus

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.methods import KNOWN_METHODS

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only when it cannot smuggle anything into logs or headers.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"
# Logged and counted for a request that got no answer because its client went away first
# (nginx's convention): not a server error.
CLIENT_CLOSED_REQUEST = 499

REDACTED = "[redacted]"
# Query parameters that carry credentials by convention (OAuth's access_token, API keys, ...).
_SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "auth",
        "authorization",
        "bearer",
        "client_secret",
        "id_token",
        "key",
        "password",
        "refresh_token",
        "secret",
        "token",
    }
)
# Our API keys (app/services/api_keys.py), wherever they turn up, also percent-encoded.
_OUR_KEY = re.compile(r"cmk_[A-Za-z0-9_%-]+")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
request_logger = logging.getLogger("app.request")

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CACHE_HITS = Counter("response_cache_hits_total", "Reads answered from the response cache.")
CACHE_MISSES = Counter(
    "response_cache_misses_total", "Cacheable reads the response cache had to compute."
)
DATABASE_ERRORS = Counter(
    "database_errors_total",
    "Requests that failed because the database was unreachable or refused to answer.",
    ["kind"],
)
EXPORT_GENERATIONS = Counter(
    "export_generations_total",
    "Exports generated and stored (once per data version, representation and release).",
    ["representation"],
)


# Set by the response cache on a hit (no route runs then).
ROUTE_TEMPLATE_KEY = "app.route_template"


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (`/v1/goals/{code}`), never the raw path,
    so that metric labels stay few."""
    template = scope.get(ROUTE_TEMPLATE_KEY)
    if template is not None:
        return template
    # FastAPI routes included with a prefix keep the full template in their effective context;
    # `route.path` alone would lack the prefix.
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path or UNMATCHED_ROUTE


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status: int | None = None
        size = 0

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        failed = True
        try:
            await self.app(scope, receive, send_with_request_id)
            failed = False
        finally:
            status = _final_status(status, failed)
            request_id_var.reset(token)
            settings = getattr(scope["app"].state, "settings", None)
            if settings is None or settings.request_log:
                request_logger.info(
                    "request",
                    extra={
                        "requestId": request_id,
                        "method": scope["method"],
                        "path": _OUR_KEY.sub(REDACTED, scope["path"]),
                        "query": redact_query(scope.get("query_string", b"").decode("latin-1")),
                        "route": route_template(scope),
                        "status": status,
                        "bytes": size,
                        "durationMs": round((time.perf_counter() - started) * 1000, 3),
                        "client": (scope.get("client") or ("", 0))[0],
                    },
                )


def redact_query(query: str) -> str:
    """The query string with the values of credential parameters, and our keys, redacted."""
    parts = []
    for part in query.split("&"):
        name, separator, _ = part.partition("=")
        normalised = unquote_plus(name).strip().lower().replace("-", "_")
        parts.append(
            f"{name}={REDACTED}" if separator and normalised in _SECRET_PARAMETERS else part
        )
    return _OUR_KEY.sub(REDACTED, "&".join(parts))


def redact_target(target: str) -> str:
    """A request target (`/path?query`) fit for a log."""
    path, separator, query = target.partition("?")
    redacted = _OUR_KEY.sub(REDACTED, path)
    return redacted + separator + redact_query(query) if separator else redacted


class RedactAccessLine(logging.Filter):
    """Access lines of the servers log the request target as it came: uvicorn as the third
    argument, granian as `path` and `query_string` (and any header its format names)."""

    def filter(self, record: logging.LogRecord) -> bool:
        arguments = record.args
        if isinstance(arguments, tuple) and len(arguments) >= 3:
            record.args = (*arguments[:2], redact_target(str(arguments[2])), *arguments[3:])
        elif isinstance(arguments, dict):
            record.args = {name: _redact_atom(name, value) for name, value in arguments.items()}
        return True


def _redact_atom(name: str, value: Any) -> Any:
    if name == "path":
        return _OUR_KEY.sub(REDACTED, str(value))
    if name == "query_string":
        return redact_query(str(value))
    if name.startswith("_h"):  # a header; it may be Authorization
        text = str(value)
        return REDACTED if text.lower().startswith("bearer") else _OUR_KEY.sub(REDACTED, text)
    return value


def _final_status(sent: int | None, failed: bool) -> int:
    """The status to log and count: the one sent, else 500 for an error and 499 when the app
    ended without error and without an answer (its client had gone)."""
    if sent is not None:
        return sent
    return 500 if failed else CLIENT_CLOSED_REQUEST


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _ACCEPTABLE_REQUEST_ID.fullmatch(candidate) else None
    return None


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Label sets are few (route templates x methods x statuses); resolving them once saves
        # prometheus-client's label validation on every request.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def _metrics_for(self, labels: tuple[str, str, str]) -> tuple[Any, Any]:
        children = self._children.get(labels)
        if children is None:
            children = self._children[labels] = (
                HTTP_REQUESTS.labels(*labels),
                HTTP_REQUEST_DURATION.labels(*labels),
            )
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        failed = True
        try:
            await self.app(scope, receive, send_and_note_status)
            failed = False
        finally:
            status = _final_status(status, failed)
            # Any other method is labelled OTHER: a client must not be able to mint metric series.
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
            count, duration = self._metrics_for((route_template(scope), method, str(status)))
            count.inc()
            duration.observe(time.perf_counter() - started)


def metrics_endpoint(request: Request) -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "requestId"):
            record.requestId = request_id_var.get()
        return True


_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
_JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


def json_formatter() -> JsonFormatter:
    return JsonFormatter(_JSON_FIELDS, rename_fields=_JSON_RENAMES)


def configure_json_logging(level: str = "info") -> None:
    """Every log line of the app (and of uvicorn, when it runs us: its access line too, with
    the target redacted) as one JSON object on stderr, with the request id of the request it
    belongs to. Idempotent."""
    handler_name = "coalition-monitor-json"
    for logger_name in ("app", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(logger_name)
        if any(handler.get_name() == handler_name for handler in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(handler_name)
        handler.setFormatter(json_formatter())
        handler.addFilter(_RequestIdFilter())
        if logger_name == "uvicorn.access":
            handler.addFilter(RedactAccessLine())
        logger.handlers = [handler]
        logger.propagate = False
        logger.setLevel(level.upper())


def server_logging_config(level: str = "info") -> dict[str, Any]:
    """`logging.config.dictConfig` for uvicorn and granian themselves (their `log_config`), so
    that their own lines, from the first, are JSON as well (access lines redacted)."""
    formatter = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": _JSON_FIELDS,
        "rename_fields": _JSON_RENAMES,
    }
    stream = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    redacted = f"{__name__}.RedactAccessLine"
    loggers = ("app", "uvicorn", "uvicorn.error", "_granian")
    access_loggers = ("uvicorn.access", "granian.access")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "filters": {"redact": {"()": redacted}},
        "handlers": {"json": stream, "access": {**stream, "filters": ["redact"]}},
        "loggers": {
            **{name: _logger_config("json", level) for name in loggers},
            **{name: _logger_config("access", level) for name in access_loggers},
        },
    }


def _logger_config(handler: str, level: str) -> dict[str, Any]:
    return {"handlers": [handler], "level": level.upper(), "propagate": False}
