"""What admins manage from the desk: staff accounts, canned answers, business hours.

Reading is open to every logged-in staff member (the reply box needs the canned
answers, a transfer needs the colleagues' names); changing needs an admin and
the CSRF header. Every change is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk import accounts
from bot.desk.auth import StaffUser, current_staff, require_admin, require_csrf
from bot.desk.ids import RowId
from bot.storage import repo
from bot.storage.db import Database
from bot.storage.models import CannedAnswer, DeskSetting, Staff
from dialogs.hours import BusinessHours, BusinessHoursError

BUSINESS_HOURS_KEY = "business_hours"
MAX_TITLE = 100
MAX_TEXT = 2000

Staffer = Annotated[StaffUser, Depends(current_staff)]
Admin = Annotated[StaffUser, Depends(require_admin)]
Json = Annotated[dict[str, Any], Body()]
_WRITE = [Depends(require_csrf)]


def stored_business_hours(session: Session) -> str | None:
    """The hours an admin set at the desk, or None (then YICHUANG_BUSINESS_HOURS applies)."""
    row = session.get(DeskSetting, BUSINESS_HOURS_KEY)
    spec = None if row is None else row.value.get("spec")
    return spec if isinstance(spec, str) else None


def business_hours_for(database: Database, default_spec: str) -> BusinessHours:
    """The hours in force: the desk's setting if valid, else the configured default."""
    with database.session(readonly=True) as session:
        spec = stored_business_hours(session)
    if spec is not None:
        try:
            return BusinessHours.parse(spec)
        except BusinessHoursError:
            pass
    return BusinessHours.parse(default_spec)


def _database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def _text(body: dict[str, Any], name: str, label: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise HTTPException(status_code=400, detail=f"请填写{label}")
    value = value.strip()
    if len(value) > limit:
        raise HTTPException(status_code=400, detail=f"{label}不能超过 {limit} 个字")
    return value


def _canned_json(item: CannedAnswer) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "text": item.text,
        "created_by": item.created_by,
        "created_at": item.created_at.isoformat(),
    }


def _staff_json(staff: Staff) -> dict[str, Any]:
    return {
        "username": staff.username,
        "role": staff.role,
        "active": staff.active,
        "created_at": staff.created_at.isoformat(),
    }


def _hours_json(spec: str, source: str) -> dict[str, Any]:
    return {
        "business_hours": spec,
        "description": BusinessHours.parse(spec).describe(),
        "source": source,
    }


def admin_router() -> APIRouter:
    """/desk/api/canned, /desk/api/staff, /desk/api/settings/business-hours."""
    router = APIRouter()

    @router.get("/desk/api/canned")
    def list_canned(request: Request, staff: Staffer) -> list[dict[str, Any]]:
        with _database(request).session(readonly=True) as session:
            items = session.scalars(
                select(CannedAnswer).order_by(CannedAnswer.title, CannedAnswer.id)
            )
            return [_canned_json(item) for item in items]

    @router.post("/desk/api/canned", dependencies=_WRITE, status_code=201)
    def add_canned(request: Request, admin: Admin, body: Json) -> dict[str, Any]:
        title = _text(body, "title", "标题", MAX_TITLE)
        text = _text(body, "text", "回复内容", MAX_TEXT)
        with _database(request).session() as session:
            item = CannedAnswer(title=title, text=text, created_by=admin.username)
            session.add(item)
            session.flush()
            repo.add_audit(
                session,
                actor=admin.username,
                action="desk_canned_add",
                detail={"id": item.id, "title": title},
            )
            return _canned_json(item)

    @router.delete("/desk/api/canned/{canned_id}", dependencies=_WRITE)
    def delete_canned(request: Request, admin: Admin, canned_id: RowId) -> dict[str, Any]:
        with _database(request).session() as session:
            item = session.get(CannedAnswer, canned_id)
            if item is None:
                raise HTTPException(status_code=404, detail="没有这条常用回复")
            session.delete(item)
            repo.add_audit(
                session,
                actor=admin.username,
                action="desk_canned_delete",
                detail={"id": canned_id, "title": item.title},
            )
        return {"deleted": canned_id}

    @router.get("/desk/api/staff")
    def list_staff(request: Request, staff: Staffer) -> list[dict[str, Any]]:
        with _database(request).session(readonly=True) as session:
            return [_staff_json(member) for member in accounts.list_staff(session)]

    @router.post("/desk/api/staff", dependencies=_WRITE, status_code=201)
    def add_staff(request: Request, admin: Admin, body: Json) -> Any:
        username, password = body.get("username"), body.get("password")
        role = body.get("role", "guide")
        if not all(isinstance(v, str) for v in (username, password, role)):
            raise HTTPException(status_code=400, detail="请填写用户名、密码和角色")
        try:
            with _database(request).session() as session:
                member = accounts.add_staff(session, str(username), str(password), str(role))
                repo.add_audit(
                    session,
                    actor=admin.username,
                    action="desk_staff_add",
                    detail={"username": member.username, "role": member.role},
                )
                return _staff_json(member)
        except accounts.DuplicateStaffError as exc:
            return JSONResponse(status_code=409, content={"message": str(exc)})
        except accounts.AccountError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc

    @router.delete("/desk/api/staff/{username}", dependencies=_WRITE)
    def deactivate_staff(request: Request, admin: Admin, username: str) -> dict[str, Any]:
        if username == admin.username:
            raise HTTPException(status_code=400, detail="不能停用自己的账号")
        try:
            with _database(request).session() as session:
                member = accounts.deactivate_staff(session, username)
                repo.add_audit(
                    session,
                    actor=admin.username,
                    action="desk_staff_deactivate",
                    detail={"username": member.username},
                )
                return _staff_json(member)
        except accounts.AccountError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc

    @router.get("/desk/api/settings/business-hours")
    def get_hours(request: Request, staff: Staffer) -> dict[str, Any]:
        with _database(request).session(readonly=True) as session:
            spec = stored_business_hours(session)
        if spec is not None:
            return _hours_json(spec, "desk")
        return _hours_json(request.app.state.settings.business_hours, "config")

    @router.put("/desk/api/settings/business-hours", dependencies=_WRITE)
    def put_hours(request: Request, admin: Admin, body: Json) -> dict[str, Any]:
        spec = _text(body, "business_hours", "工作时间", 200)
        try:
            hours = BusinessHours.parse(spec)
        except BusinessHoursError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        with _database(request).session() as session:
            before = stored_business_hours(session)
            row = session.get(DeskSetting, BUSINESS_HOURS_KEY)
            if row is None:
                session.add(DeskSetting(key=BUSINESS_HOURS_KEY, value={"spec": spec}))
            else:
                row.value = {"spec": spec}
            repo.add_audit(
                session,
                actor=admin.username,
                action="desk_business_hours",
                detail={"from": before, "to": spec},
            )
        apply: Callable[[BusinessHours], None] | None = getattr(
            request.app.state, "apply_business_hours", None
        )
        if apply is not None:
            apply(hours)
        return _hours_json(spec, "desk")

    return router
