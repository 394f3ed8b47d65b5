"""Staff login: session cookies, CSRF tokens, login rate limit, and the FastAPI dependencies.

The cookie holds a random token (only its hash is stored) and is HttpOnly,
SameSite=Strict and limited to /desk; it is Secure whenever the request came
over https. A session ends after YICHUANG_DESK_IDLE_MINUTES without use and
12 hours after login in any case. Every state-changing call must echo the
session's CSRF token in the X-CSRF-Token header.

Tests (and only tests) may set ``app.state.desk_clock`` to a function returning
an aware datetime, to move time forward without sleeping.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.attempt_limits import Counters, LoginLimits
from bot.client_address import came_over_https, client_address
from bot.desk import accounts
from bot.storage import repo
from bot.storage.db import Database
from bot.storage.models import utcnow

COOKIE_NAME = "yichuang_desk"
COOKIE_PATH = "/desk"
CSRF_HEADER = "X-CSRF-Token"
_MAX_LOGIN_BODY = 4096

NOT_LOGGED_IN = "请先登录"
SESSION_EXPIRED = "登录已过期，请重新登录"
BAD_CSRF = "页面已过期或请求来源不明，请刷新页面后重试"
NOT_ADMIN = "只有管理员可以进行此操作"
BAD_CREDENTIALS = "用户名或密码不正确"
TOO_MANY = "登录失败次数过多，请 {minutes} 分钟后再试"

log = logging.getLogger("bot.desk.auth")


@dataclass(frozen=True)
class StaffUser:
    """The logged-in staff member a desk request acts as."""

    id: int
    username: str
    role: str


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] | None = getattr(request.app.state, "desk_clock", None)
    return clock() if clock is not None else utcnow()


def _idle(request: Request) -> timedelta:
    minutes = getattr(request.app.state.settings, "desk_idle_minutes", 30)
    return timedelta(minutes=max(1, int(minutes)))


def _database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def current_staff(request: Request) -> StaffUser:
    """The session cookie's staff member; 401 {"message": "请先登录"} without a valid session."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        raise HTTPException(status_code=401, detail=NOT_LOGGED_IN)
    database = _database(request)
    now = _now(request)
    with database.session(readonly=True) as session:
        found = accounts.find_session(session, token)
    if found is None:
        raise HTTPException(status_code=401, detail=NOT_LOGGED_IN)
    if found.expired(now, _idle(request)):
        with database.session() as session:
            accounts.delete_session(session, found.id)
        raise HTTPException(status_code=401, detail=SESSION_EXPIRED)
    if found.needs_touch(now):
        with database.session() as session:
            accounts.touch_session(session, found.id, now)
    request.state.desk_csrf = found.csrf_token
    return StaffUser(found.staff_id, found.username, found.role)


def require_csrf(
    request: Request, staff: Annotated[StaffUser, Depends(current_staff)]
) -> StaffUser:
    """The staff member, once the X-CSRF-Token header matches the session's token (else 403)."""
    expected: str | None = getattr(request.state, "desk_csrf", None)
    if expected is None:  # current_staff was not run for this request
        current_staff(request)
        expected = request.state.desk_csrf
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not secrets.compare_digest(sent.encode(), str(expected).encode()):
        raise HTTPException(status_code=403, detail=BAD_CSRF)
    return staff


def require_admin(staff: Annotated[StaffUser, Depends(current_staff)]) -> StaffUser:
    """The staff member if an admin; 403 otherwise."""
    if staff.role != "admin":
        raise HTTPException(status_code=403, detail=NOT_ADMIN)
    return staff


def _login_limits(request: Request) -> LoginLimits:
    """The app's login limits on the shared store (one per app, so its key is read once)."""
    limits: LoginLimits | None = getattr(request.app.state, "login_limits", None)
    if limits is None:
        key = getattr(request.app.state.settings, "attempt_key", None)
        limits = LoginLimits(Counters(_database(request), key))
        request.app.state.login_limits = limits
    return limits


async def _credentials(request: Request) -> tuple[str, str] | None:
    """Username and password from a JSON or form body; None when the body is unusable."""
    body = await request.body()
    if len(body) > _MAX_LOGIN_BODY:
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    try:
        if kind == "application/x-www-form-urlencoded":
            data = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        else:
            data = json.loads(body or b"null")
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    if not username.strip() or not password:
        return None
    return username.strip(), password


def _same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, must name this site (no login CSRF).

    This site is the Host the request reached, the host a proxy forwarded, or
    YICHUANG_PUBLIC_BASE_URL's host.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True
    public = str(getattr(request.app.state.settings, "public_base_url", ""))
    ours = {
        request.headers.get("host", ""),
        request.headers.get("x-forwarded-host", ""),
        urlsplit(public).netloc,
    }
    return urlsplit(origin).netloc.lower() in {host.lower() for host in ours if host}


def _message(status: int, text: str, **headers: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"message": text}, headers=headers or None)


def auth_router() -> APIRouter:
    """POST /desk/login, POST /desk/logout, GET /desk/api/me."""
    router = APIRouter()

    @router.post("/desk/login")
    async def login(request: Request) -> JSONResponse:
        if not _same_origin(request):
            return _message(403, BAD_CSRF)
        credentials = await _credentials(request)
        if credentials is None:
            return _message(400, "请填写用户名和密码")
        username, password = credentials
        address = client_address(request)
        now = _now(request)
        limits = _login_limits(request)
        # Checked before the password: during a lock the right one is refused too.
        wait = await run_in_threadpool(limits.blocked, username, address, now)
        if wait is not None:
            too_many = TOO_MANY.format(minutes=max(1, math.ceil(wait / 60)))
            return _message(429, too_many, **{"Retry-After": str(wait)})
        database = _database(request)

        def check() -> tuple[StaffUser, str, str] | None:
            with database.session() as session:
                staff = accounts.authenticate(session, username, password)
                if staff is None:
                    return None
                accounts.purge_expired_sessions(session, now=now, idle=_idle(request))
                token, csrf = accounts.start_session(session, staff, now)
                repo.add_audit(session, actor=staff.username, action="desk_login")
                return StaffUser(staff.id, staff.username, staff.role), token, csrf

        result = await run_in_threadpool(check)
        if result is None:
            await run_in_threadpool(limits.failed, username, address, now)
            log.warning("desk login failed from %s", address)
            return _message(401, BAD_CREDENTIALS)
        await run_in_threadpool(limits.succeeded, username, address)
        staff, token, csrf = result
        response = JSONResponse(
            {"username": staff.username, "role": staff.role, "csrf_token": csrf}
        )
        response.set_cookie(
            COOKIE_NAME,
            token,
            max_age=int(accounts.ABSOLUTE_SESSION_LIFETIME.total_seconds()),
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=came_over_https(request),
        )
        return response

    @router.post("/desk/logout")
    def logout(
        request: Request, staff: Annotated[StaffUser, Depends(require_csrf)]
    ) -> JSONResponse:
        token = request.cookies.get(COOKIE_NAME, "")
        with _database(request).session() as session:
            accounts.end_session(session, token)
            repo.add_audit(session, actor=staff.username, action="desk_logout")
        response = JSONResponse({"message": "已退出登录"})
        response.delete_cookie(
            COOKIE_NAME,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=came_over_https(request),
        )
        return response

    @router.get("/desk/api/me")
    def me(request: Request, staff: Annotated[StaffUser, Depends(current_staff)]) -> dict[str, str]:
        return {
            "username": staff.username,
            "role": staff.role,
            "csrf_token": str(request.state.desk_csrf),
        }

    return router
