"""Unexpected errors answered with the Chinese 500 here, so the connection stays open.

Starlette's ServerErrorMiddleware runs the app's ``Exception`` handler and then
raises the error again, so uvicorn closes the connection after every 500 and a
keep-alive client (a channel's HTTP pool, the desk) sees a reset. This plain
ASGI middleware (no extra task, as in bot.headers) sits inside it: an error that
no handler took is logged with its traceback (masked by bot.logs) and answered
as a normal response. Errors that handlers own (HTTPException, the store's 503)
never reach it.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("bot.app")

UNEXPECTED = "系统出了点问题，请稍后再试，或转人工导诉员。"


class UnexpectedErrorMiddleware:
    """Answers an unhandled exception with 500 ``{"message": ...}`` instead of re-raising."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            log.exception("unhandled error on %s", scope.get("path", "?"))
            if started:
                raise  # half a response is out: only closing the connection can end it
            response = JSONResponse(status_code=500, content={"message": UNEXPECTED})
            await response(scope, receive, send)
