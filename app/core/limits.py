"""Size limits checked before a request reaches a route, each with its own documented problem:

- a query string longer than `MAX_QUERY_STRING_BYTES` gets 414;
- a declared body (`Content-Length`) larger than `MAX_REQUEST_BODY_BYTES` gets 413 (bodies sent
  without a length are counted as they arrive by the write routes, app/api/json_body.py);
- a search term `q` longer than `MAX_SEARCH_QUERY_LENGTH` characters gets 400.

`pageSize` above its maximum is a 400 of the routes themselves (app/api/deps.py).
"""

from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import problem_response

SEARCH_PATH = "/v1/search"


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, detail, invalid_params = problem
        response = problem_response(Request(scope), status, detail, invalid_params=invalid_params)
        await response(scope, receive, send)

    @staticmethod
    def _problem(scope: Scope) -> tuple[int, str, list[dict[str, str]] | None] | None:
        settings = scope["app"].state.settings
        query = scope.get("query_string", b"")
        if len(query) > settings.max_query_string_bytes:
            return (
                414,
                f"The query string is longer than {settings.max_query_string_bytes} bytes.",
                None,
            )
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_request_body_bytes:
            return (
                413,
                f"The request body is larger than {settings.max_request_body_bytes} bytes.",
                None,
            )
        if scope["path"] == SEARCH_PATH and query:
            limit = settings.max_search_query_length
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
                if name == "q" and len(value) > limit:
                    reason = f"at most {limit} characters"
                    return (
                        400,
                        f"Invalid query parameter 'q': {reason}",
                        [{"name": "q", "reason": reason}],
                    )
        return None
