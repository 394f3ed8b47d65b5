"""Security headers and a request id on every response, as plain ASGI middleware.

Plain ASGI rather than ``@app.middleware("http")``: Starlette's
``BaseHTTPMiddleware`` runs every request in an extra task with memory streams,
which cost a fifth of the server's time per message (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import REQUEST_ID

#: No inline script anywhere: the web chat is static files only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def request_id(given: str | None) -> str:
    """The caller's X-Request-ID when it is a plain token (a proxy's), else a new one."""
    if (
        given
        and len(given) <= 64
        and all(c.isascii() and (c.isalnum() or c in "-_.") for c in given)
    ):
        return given
    return uuid.uuid4().hex


class SecurityHeadersMiddleware:
    """Adds the security headers (unless a route set its own) and ``X-Request-ID``;
    the id is also in every log line written while the request runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(Headers(scope=scope).get("x-request-id"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers["X-Request-ID"] = rid
            await send(message)

        token = REQUEST_ID.set(rid)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            REQUEST_ID.reset(token)
