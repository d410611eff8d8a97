"""Forwarded headers are believed only when a trusted proxy sent them.

`X-Forwarded-For` and `X-Forwarded-Proto` name the client's address and scheme; any client can
send them, so they count only from the addresses in `FORWARDED_ALLOW_IPS` (uvicorn's own setting
and environment variable, default `127.0.0.1`). uvicorn applies it itself; this middleware
applies the same rule under any other server (granian has no such setting), with uvicorn's
implementation. Applying it twice changes nothing: after the first pass the client is no longer
a trusted proxy. Links never depend on these headers (nor on `Host`): see `Settings.base_url`.
"""

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._by_setting: dict[str, ProxyHeadersMiddleware] = {}

    def _for(self, trusted: str) -> ProxyHeadersMiddleware:
        # Settings are known only at startup (never at import), so build on first use.
        middleware = self._by_setting.get(trusted)
        if middleware is None:
            hosts = [host.strip() for host in trusted.split(",") if host.strip()]
            middleware = self._by_setting[trusted] = ProxyHeadersMiddleware(self.app, hosts)
        return middleware

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trusted = scope["app"].state.settings.forwarded_allow_ips
        await self._for(trusted)(scope, receive, send)
