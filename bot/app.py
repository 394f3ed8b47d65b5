"""The FastAPI application factory: one process serves every channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.assembly import NluHolder, build_conversations, http_court, open_database
from bot.channels.rest import rest_router
from bot.channels.webchat import webchat_router
from bot.channels.wechat import register as register_wechat
from bot.delivery import make_deliver
from bot.desk.admin import admin_router, business_hours_for
from bot.desk.api import desk_router
from bot.desk.auth import auth_router
from bot.desk.events import DeskEvents
from bot.desk.retention import register as register_purge
from bot.desk.web import desk_page_router
from bot.errors import UnexpectedErrorMiddleware
from bot.headers import SecurityHeadersMiddleware
from bot.metrics import HttpMetricsMiddleware, Metrics, metrics_router
from bot.recovery import register as register_recovery
from bot.settings import Settings
from bot.template_pages import template_router

#: Threads for sync endpoints (turns); court look-ups may hold only some of them.
REQUEST_THREADS = 64
#: Chinese for the errors the framework raises in English (our own details are Chinese).
HTTP_MESSAGES = {
    400: "请求格式不正确，无法解析请求内容",
    401: "请先登录",
    403: "没有权限进行此操作",
    404: "没有这个页面",
    405: "不支持这种请求方式",
    413: "请求内容太大",
    415: "不支持这种内容格式",
}
#: What a litigant reads when the database cannot take their message.
STORE_UNAVAILABLE = "系统暂时无法保存您的消息，请稍后重新发送。"


class ParseRequest(BaseModel):
    """Rasa's ``POST /model/parse`` body."""

    text: str = Field(max_length=20_000)
    message_id: str | None = None


def check_court_config(settings: Settings) -> None:
    """Read every court-editable file now, so a typo stops start-up, not a litigant's chat."""
    from knowledge.calendar import load_calendar
    from knowledge.courts import load_court_directory
    from knowledge.fees import load_fee_schedule
    from knowledge.model_texts import load_model_texts

    config_dir = settings.court_config_dir()
    load_court_directory(config_dir)
    load_fee_schedule(config_dir)
    load_calendar(config_dir)
    load_model_texts(config_dir, settings.public_base_url)


def create_app(
    settings: Settings | None = None, *, preload_nlu: bool = True, channels: bool = True
) -> FastAPI:
    """Build the app from explicit settings, so tests can pass their own.

    ``channels=False`` leaves out WeChat and Telegram, for tests that mount them
    with their own options. Without ``YICHUANG_COURT_API_URL`` the built-in court
    simulator runs while the app does, on a loopback port of its own with a key
    made at start (bot.court.builtin), and is reached over real HTTP, as the real
    court API would be; it is never served on the app's own port.
    """
    from bot.web.routes import web_router
    from dialogs.kb import load_knowledge

    settings = settings or Settings()
    check_court_config(settings)
    nlu = NluHolder(settings)
    database = open_database(settings)
    metrics = Metrics(database)  # this app's own registry: no state shared between apps
    simulator = None
    if settings.court_api_url:
        court = http_court(settings, observer=metrics)
    else:
        from bot.court.builtin import BuiltinSimulator
        from bot.court.client import HttpCourtGateway

        simulator = BuiltinSimulator(settings)
        court = HttpCourtGateway(simulator.url, simulator.api_key, observer=metrics)
    kb = load_knowledge(settings.court_config_dir(), settings.public_base_url)
    conversations = build_conversations(settings, court, database=database, nlu=nlu, kb=kb)
    conversations.metrics = metrics
    desk_events = DeskEvents(database)  # this app's; relayed to other instances on PostgreSQL
    conversations.events = desk_events
    # Hours an admin set at the desk win over YICHUANG_BUSINESS_HOURS, and apply at once.
    conversations.engine.hours = business_hours_for(database, settings.business_hours)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if simulator is not None:  # before any turn (or the recovery pass) needs the court
            await run_in_threadpool(simulator.start)
        # Sync endpoints run in anyio's threads (40 by default); court look-ups may hold
        # settings.court_max_in_flight of them, so there are more, and the rest stay free.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, REQUEST_THREADS)
        if preload_nlu:
            # The first litigant should not wait for the model, nor for jieba's
            # dictionary, which loads on the first parse (about a second).
            nlu.get().parse("你好")
        desk_events.start()
        yield
        desk_events.stop()
        if simulator is not None:
            await run_in_threadpool(simulator.stop)
        database.dispose()

    app = FastAPI(title="一窗 Yichuang", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.nlu = nlu
    app.state.db = database
    app.state.conversations = conversations
    app.state.metrics = metrics
    app.state.desk_events = desk_events
    app.add_middleware(UnexpectedErrorMiddleware)  # innermost: a 500 that keeps the connection
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on every response
    app.state.deliver = make_deliver(app.state)
    app.state.apply_business_hours = lambda hours: setattr(conversations.engine, "hours", hours)

    app.state.court_simulator = simulator  # for tests' fault injection only

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors())
        return JSONResponse(
            status_code=400,
            content={"error": "bad_request", "message": f"请求格式不正确：{fields}"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else ""
        if message.isascii():  # Starlette's and FastAPI's own English words, e.g. "Not Found"
            message = HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
        return JSONResponse(
            status_code=exc.status_code, content={"message": message}, headers=exc.headers
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(SATimeoutError)
    async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        """The database is down, locked or full: nothing was stored, so ask for a resend.

        503 makes WeChat and Telegram deliver again; the web chat offers 重新发送.
        """
        import logging

        logging.getLogger("bot.app").error(
            "database unavailable on %s: %s", request.url.path, type(exc).__name__
        )
        return JSONResponse(
            status_code=503,
            headers={"Retry-After": "5"},
            content={"message": STORE_UNAVAILABLE},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        import logging

        logging.getLogger("bot.app").exception("unhandled error on %s", request.url.path)
        return JSONResponse(
            status_code=500, content={"message": "系统出了点问题，请稍后再试，或转人工导诉员。"}
        )

    @app.get("/health")
    def health() -> JSONResponse:
        """200 only when the store takes writes: one that only reads cannot take a message."""
        answers = database.ping()
        writable = answers and database.writable()
        return JSONResponse(
            status_code=200 if writable else 503,
            content={
                "status": "ok" if writable else "unavailable",
                "service": "yichuang",
                "database": answers,
                "writable": writable,
            },
        )

    @app.post("/model/parse")
    def model_parse(body: ParseRequest) -> dict[str, Any]:
        return nlu.get().parse(body.text)

    app.include_router(rest_router())
    app.include_router(metrics_router())  # public like /health: restrict it at the proxy
    app.include_router(template_router(kb))
    app.include_router(web_router())
    app.include_router(webchat_router())
    app.include_router(auth_router())
    app.include_router(admin_router())
    app.include_router(desk_router())
    app.include_router(desk_page_router())
    if channels:  # each messaging platform mounts itself only when its token is set
        register_wechat(app, settings)
        if settings.telegram_token:  # python-telegram-bot is imported only when it is used
            from bot.channels.telegram import register as register_telegram

            register_telegram(app, settings)
    register_recovery(app, settings)  # last: it starts once the channels are up
    register_purge(app, settings)
    return app
